from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "qingdan.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from qingdan.intake.api import forget_units

        # Signals only to invalidate: the API's cache of units named by code.
        post_save.connect(forget_units, sender="units.Unit", dispatch_uid="intake_forget_units_saved")
        post_delete.connect(forget_units, sender="units.Unit", dispatch_uid="intake_forget_units_deleted")
