"""Count ratings from the rating records, and keep stored schemes meaning what they meant.

1. ``resolution_rate`` used to be the share of listed items closed; it is now 解决率, the
   citizens' own "solved" answers, and the closure share is ``closure_rate`` (办结率). Stored
   index schemes and the figures of recorded rankings used the old name for the closure share:
   their key is renamed, so every stored version (and a ranking computed again with it) comes
   out as before.
2. The ``rated*`` figures were counted from each submission's latest rating, linked items only.
   They are counted afresh from ``intake.Rating`` (every rating, with or without an item, for
   the unit that answered), down to ``QINGDAN_FIGURES_DEPTH`` as the running figures keep them.
   ``qingdan report verify`` checks the result row by row.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD, NEW = "resolution_rate", "closure_rate"
STEPLEN = 4  # units.Unit.steplen: four path characters per tree level
BATCH = 2000


def _rename(mapping: dict, old: str, new: str) -> dict:
    return {(new if key == old else key): value for key, value in mapping.items()}


def forwards(apps, schema_editor):
    IndexScheme = apps.get_model("supervision", "IndexScheme")
    RankingRow = apps.get_model("supervision", "RankingRow")
    Figure = apps.get_model("supervision", "Figure")
    Rating = apps.get_model("intake", "Rating")
    Unit = apps.get_model("units", "Unit")

    for scheme in IndexScheme.objects.all().iterator():
        if OLD in (scheme.weights or {}):
            IndexScheme.objects.filter(pk=scheme.pk).update(weights=_rename(scheme.weights, OLD, NEW))
    for row in RankingRow.objects.all().iterator(chunk_size=BATCH):
        if OLD in (row.rates or {}):
            RankingRow.objects.filter(pk=row.pk).update(rates=_rename(row.rates, OLD, NEW))

    depth = int(getattr(settings, "QINGDAN_FIGURES_DEPTH", 4))
    Figure.objects.filter(name__startswith="rated").delete()
    counts: Counter = Counter()
    for path, satisfaction, solved, at in (Rating.objects.values_list("unit__path", "satisfaction", "solved", "at")
                                           .iterator(chunk_size=BATCH)):
        day = timezone.localdate(at) if timezone.is_aware(at) else at.date()
        names = ["rated", f"rated:{satisfaction}"]
        if solved is not None:
            names.append("rated:solved" if solved else "rated:unsolved")
        for end in range(STEPLEN, min(len(path), depth * STEPLEN) + 1, STEPLEN):
            for name in names:
                counts[(path[:end], day, name)] += 1
    ids = dict(Unit.objects.filter(path__in={path for path, _day, _name in counts}).values_list("path", "id"))
    rows = [Figure(unit_id=ids[path], day=day, name=name, slot=0, value=value)
            for (path, day, name), value in counts.items()]
    Figure.objects.bulk_create(rows, batch_size=BATCH)


def backwards(apps, schema_editor):
    IndexScheme = apps.get_model("supervision", "IndexScheme")
    RankingRow = apps.get_model("supervision", "RankingRow")
    for scheme in IndexScheme.objects.all().iterator():
        if NEW in (scheme.weights or {}):
            weights = {key: value for key, value in scheme.weights.items() if key != OLD}
            IndexScheme.objects.filter(pk=scheme.pk).update(weights=_rename(weights, NEW, OLD))
    for row in RankingRow.objects.all().iterator(chunk_size=BATCH):
        if NEW in (row.rates or {}):
            rates = {key: value for key, value in row.rates.items() if key != OLD}
            RankingRow.objects.filter(pk=row.pk).update(rates=_rename(rates, NEW, OLD))


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("intake", "0003_rating_records_answered_by"),
        ("dockets", "0008_carry_ratings_into_records"),
        ("units", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
