from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "qingdan.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from qingdan.people import signals  # noqa: F401 - connects the audit receivers
        from qingdan.people.lockout import connect

        connect()
