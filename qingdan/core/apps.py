from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qingdan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from qingdan.core import checks, signals  # noqa: F401 - registers deploy checks; the calendar's cache invalidation
