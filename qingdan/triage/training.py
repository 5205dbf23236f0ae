"""Labeled history for the classifier: files, the deployment's own cases, and honest evaluation.

The shared training files overlap (one message can be a whole row, a body and a subject):
``examples_from_tables`` keeps each distinct subject and body once. ``evaluate`` measures on
whole messages (subject + body, what arrives in production) in stratified folds, and removes
from each training fold every body and subject of the held-out messages, so a message is never
scored by a model that saw its text under another file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qingdan.core.tabular import read_table
from qingdan.intake.choices import SubmissionKind
from qingdan.triage.classifier import Classifier, Example
from qingdan.triage.models import Triage
from qingdan.triage.services import categories, ordinary_submissions

COLUMNS = {
    "id": ["留言编号", "编号", "external_id"],
    "title": ["留言主题", "主题", "subject"],
    "text": ["留言详情", "详情", "内容", "body"],
    "category": ["一级标签", "一级分类", "label"],
}
_SPACE = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACE.sub("", text or "")


def examples_from_files(paths: Iterable[Path | bytes]) -> list[Example]:
    """Read labeled CSV/XLSX files (subject and/or body, and a category column); de-duplicate."""
    rows: list[tuple[str, str, str]] = []
    for path in paths:
        table = read_table(path, COLUMNS, required=["category"])
        rows.extend((r.get("title"), r.get("text"), r.get("category")) for r in table.rows)
    return dedupe(rows)


def dedupe(rows: Iterable[tuple[str, str, str]]) -> list[Example]:
    """Keep whole messages, then bodies and subjects not already part of a kept message."""
    rows = [(s, b, label.strip()) for s, b, label in rows if label and label.strip() and (_key(s) or _key(b))]
    whole: dict[tuple[str, str], Example] = {}
    for s, b, label in rows:
        if _key(s) and _key(b):
            whole.setdefault((_key(s), _key(b)), Example(s, b, label))
    seen_subjects = {k[0] for k in whole}
    seen_bodies = {k[1] for k in whole}
    out = list(whole.values())
    for s, b, label in rows:
        if _key(s) and _key(b):
            continue
        key = _key(s) or _key(b)
        seen = seen_subjects if _key(s) else seen_bodies
        if key not in seen:
            seen.add(key)
            out.append(Example(s if _key(s) else "", b if _key(b) else "", label))
    return out


@dataclass(frozen=True)
class Evaluation:
    """Held-out figures: macro-F1 and accuracy over whole messages, per-class F1, fold count."""

    macro_f1: float
    accuracy: float
    per_class: dict[str, float]
    folds: int
    messages: int


def evaluate(examples: Sequence[Example], *, folds: int = 5, seed: int = 0, c: float = 1.0) -> Evaluation:
    """Cross-validate on the whole messages (subject and body); the rest only ever trains."""
    import numpy as np  # noqa: PLC0415 (numpy loads only with the classifier)
    from sklearn.metrics import f1_score  # noqa: PLC0415 (scikit-learn loads only when a model is trained or used)
    from sklearn.model_selection import StratifiedKFold  # noqa: PLC0415 (scikit-learn loads only when a model is trained or used)

    whole = [e for e in examples if _key(e.subject) and _key(e.body)]
    parts = [e for e in examples if not (_key(e.subject) and _key(e.body))]
    y = np.array([e.label for e in whole])
    predicted = np.empty(len(whole), dtype=object)
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        held_subjects = {_key(whole[i].subject) for i in test_idx}
        held_bodies = {_key(whole[i].body) for i in test_idx}
        train = [whole[i] for i in train_idx] + [
            e for e in parts if _key(e.subject) not in held_subjects and _key(e.body) not in held_bodies]
        model = Classifier.train(train, c=c)
        predicted[test_idx] = [p.category for p in model.predict((whole[i].subject, whole[i].body) for i in test_idx)]
    labels = sorted(set(y))
    per_class = dict(zip(labels, f1_score(y, predicted, labels=labels, average=None), strict=True))
    return Evaluation(macro_f1=float(f1_score(y, predicted, average="macro")),
                      accuracy=float((predicted == y).mean()),
                      per_class={k: round(float(v), 4) for k, v in per_class.items()}, folds=folds,
                      messages=len(whole))


def examples_from_database(*, limit: int = 200_000) -> list[Example]:
    """The deployment's own labeled history: operators' corrections, then categorised closed cases.

    A correction wins over the category intake stored; only categories of the taxonomy count.
    """
    known = set(categories())
    rows: list[tuple[str, str, str]] = []
    corrected = set()
    # Reports (举报) never train the model whose reasons every operator reads.
    for triage in (Triage.objects.exclude(corrected_category="").exclude(submission__kind=SubmissionKind.REPORT)
                   .select_related("submission")
                   .order_by("-pk")[:limit]):
        corrected.add(triage.submission_id)
        rows.append((triage.submission.subject, triage.submission.text, triage.corrected_category))
    closed = (ordinary_submissions().filter(category__in=known, status__in=("replied", "closed"))
              .exclude(pk__in=corrected).order_by("-pk").values_list("subject", "text", "category")[:limit])
    rows.extend(closed)
    return dedupe(r for r in rows if r[2] in known)
