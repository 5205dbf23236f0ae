from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "qingdan.triage"
    label = "triage"
    verbose_name = _("Triage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Listen for new submissions: intake sends after commit and never imports triage."""
        from qingdan.intake.signals import submission_received
        from qingdan.triage import receivers

        submission_received.connect(receivers.on_submission_received, dispatch_uid="triage.on_submission_received")
