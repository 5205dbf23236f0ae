from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocketsConfig(AppConfig):
    name = "qingdan.dockets"
    label = "dockets"
    verbose_name = _("Dockets")
