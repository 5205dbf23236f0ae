from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "qingdan.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from qingdan.supervision import receivers  # noqa: F401 - keeps the running figures from dockets' signals
