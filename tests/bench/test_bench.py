"""The tree benchmark on one small province: its figures must describe what actually happened."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.tree import TreeFigures, measure, render
from qingdan.units.models import Unit


@pytest.mark.django_db
def test_tree_benchmark_on_one_province():
    figures = measure(province="46", repeat=2)  # Hainan: 3,572 units, a few seconds
    units = Unit.objects.count()

    assert figures["units"] == units > 1000
    assert figures["scope"] == "46"
    assert figures["reimport_unchanged"] == units  # the re-import really changed nothing
    for key in ("read_seconds", "import_seconds", "reimport_seconds", "baseline_load_seconds",
                "baseline_lookup_seconds"):
        assert figures[key] > 0, key
    assert figures["read_seconds"] < figures["import_seconds"]  # reading is a part of the import
    assert figures["import_ratio"] == pytest.approx(figures["import_seconds"] / figures["baseline_load_seconds"])
    assert figures["reimport_ratio"] == pytest.approx(figures["reimport_seconds"] / figures["baseline_load_seconds"])

    counts = [q for q in figures["queries"] if q["query"] == "subtree count"]
    ancestors = [q for q in figures["queries"] if q["query"] == "ancestors"]
    assert [q["level"] for q in counts] == ["province", "county", "township"]
    assert [q["level"] for q in ancestors] == ["county", "township", "village"]
    # One province imported: its subtree is the whole tree; each level down is strictly smaller.
    assert counts[0]["code"] == "46" and counts[0]["rows"] == units
    assert counts[0]["rows"] > counts[1]["rows"] > counts[2]["rows"] > 1
    # The county picked is the province's biggest: the worst case a county user can ask for.
    county = Unit.objects.get(code=counts[1]["code"])
    siblings = Unit.objects.filter(depth=3, path__startswith=county.path[:4])
    assert counts[1]["rows"] == max(Unit.objects.filter(path__startswith=s.path).count() for s in siblings)
    assert [q["rows"] for q in ancestors] == [2, 3, 4]
    for query in figures["queries"]:
        assert query["seconds"] > 0 and query["raw_seconds"] > 0
        assert query["baseline_seconds"] == figures["baseline_lookup_seconds"]
        assert query["ratio"] == pytest.approx(query["seconds"] / query["baseline_seconds"])

    # The baseline's scratch table is gone, and the report shows the figures it was given.
    assert "bench_raw_unit" not in connection.introspection.table_names()
    report = render([figures], {"cores": 2, "memory_gib": 4.0, "cpu": "test", "os": "test", "python": "3.11",
                                "django": "5.2", "date": "today", "load": "0"})
    assert f"province 46 {counts[0]['name']}" in report and f"| {units:,} |" in report
    assert TreeFigures.from_dict(figures).to_dict() == figures


@pytest.mark.django_db
def test_an_empty_tree_has_no_subtrees_to_measure():
    from bench.tree import _biggest_subtrees

    assert _biggest_subtrees(None) == []  # was a KeyError on None (found by mypy)


def test_the_biggest_subtrees_go_down_the_largest_branch(tree):
    from bench.tree import _biggest_subtrees

    # Counted over regions: 西湖区 (with 留下街道 and its villages) outweighs 滨江区.
    assert [u.code for u in _biggest_subtrees(None)] == ["33", "330106", "330106009", "330106009001"]
