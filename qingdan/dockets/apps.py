from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocketsConfig(AppConfig):
    name = "qingdan.dockets"
    label = "dockets"
    verbose_name = _("Dockets")

    def ready(self) -> None:
        from qingdan.dockets import receivers  # noqa: F401 - connects to intake's signals
