"""Give every submission a public id, random and unrelated to its tracking code.

Added nullable, filled row by row for the submissions that exist, then made unique and
required. Reversible: going back drops the column (the ids are random, nothing is lost).
"""

from django.db import migrations, models

import qingdan.intake.codes


def fill_public_ids(apps, schema_editor):
    Submission = apps.get_model("intake", "Submission")
    taken: set[str] = set()
    for pk in Submission.objects.filter(public_id__isnull=True).values_list("pk", flat=True).iterator():
        public_id = qingdan.intake.codes.new_public_id()
        while public_id in taken:
            public_id = qingdan.intake.codes.new_public_id()
        taken.add(public_id)
        Submission.objects.filter(pk=pk).update(public_id=public_id)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="submission",
            name="public_id",
            field=models.CharField(default=qingdan.intake.codes.new_public_id, editable=False, max_length=16,
                                   unique=True, verbose_name="public id"),
        ),
    ]
