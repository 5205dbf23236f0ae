"""Take reports (举报) out of the hot issues they joined before triage kept them out (issue 12)."""

from django.db import migrations


def purge(apps, schema_editor):
    from qingdan.triage.services import hot_issues_purge_confidential

    hot_issues_purge_confidential(triage_model=apps.get_model("triage", "Triage"),
                                  issue_model=apps.get_model("triage", "HotIssue"),
                                  key_model=apps.get_model("triage", "HotIssueKey"))


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial"), ("intake", "0002_submission_public_id")]
    operations = [migrations.RunPython(purge, migrations.RunPython.noop)]
