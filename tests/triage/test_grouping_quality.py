"""Hot-issue grouping against hand-checked groups of real messages (the issue's quality target).

``data/hot_issue_gold.csv`` labels 473 of the 4,326 shared hot-issue messages with the concrete
problem and place they are about (how the subset was chosen and judged: docs/triage.md, "Group").
The whole file is grouped as `qingdan triage group` does, then pairs are scored on the subset.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from qingdan.triage.batch import group_rows, read_messages

MESSAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "messages" / "hot_issue_messages.csv"
GOLD = Path(__file__).parent / "data" / "hot_issue_gold.csv"

pytestmark = pytest.mark.skipif(not MESSAGES.is_file(), reason="../shared/data/messages is not here")


def _pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for message_id, label in labels.items():
        groups.setdefault(label, []).append(message_id)
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


def test_pairwise_precision_and_f1_on_hand_checked_groups():
    with GOLD.open(encoding="utf-8") as handle:
        gold = {row["id"]: row["gold_group"] for row in csv.DictReader(handle)}
    result = group_rows(read_messages(MESSAGES))
    ours = {str(message_id): f"i{issue}" if issue else f"none{message_id}"
            for message_id, issue in result.assignments if str(message_id) in gold}
    assert set(ours) == set(gold)
    gold_pairs, our_pairs = _pairs(gold), _pairs(ours)
    both = len(gold_pairs & our_pairs)
    precision, recall = both / len(our_pairs), both / len(gold_pairs)
    f1 = 2 * precision * recall / (precision + recall)
    assert precision >= 0.95, (precision, recall, f1)
    assert f1 >= 0.92, (precision, recall, f1)
