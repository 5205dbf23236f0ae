"""Fill the calendar from the State Council's holiday notices for 2024, 2025 and 2026.

The rows come from qingdan/core/data/cn_holidays.csv (sources in docs/workdays.md). Reversing
removes only the shipped rows that are still as shipped, never an organizer's own additions.
"""

from django.db import migrations


def load(apps, schema_editor):
    from qingdan.core.workdays import shipped_calendar_rows

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.bulk_create([CalendarDay(**row) for row in shipped_calendar_rows()], ignore_conflicts=True)


def unload(apps, schema_editor):
    from qingdan.core.workdays import shipped_calendar_rows

    CalendarDay = apps.get_model("core", "CalendarDay")
    for row in shipped_calendar_rows():
        CalendarDay.objects.filter(**row).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
