"""Backfill Item.original_deadline for items already dispatched: the deadline they carry now.

Reversible: going back clears the column (the schema migration before this drops it anyway).
"""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Item = apps.get_model("dockets", "Item")
    Item.objects.filter(dispatched_at__isnull=False, original_deadline__isnull=True).update(
        original_deadline=F("deadline"))


def backwards(apps, schema_editor):
    Item = apps.get_model("dockets", "Item")
    Item.objects.update(original_deadline=None)


class Migration(migrations.Migration):
    dependencies = [("dockets", "0005_promise_verifier_original_deadline")]
    operations = [migrations.RunPython(forwards, backwards)]
