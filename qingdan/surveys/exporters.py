"""Export a questionnaire's responses (one row each) to XLSX or CSV; audited, formulas made inert."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor
from qingdan.core.tabular import Sheet, csv_bytes, xlsx_bytes
from qingdan.surveys.choices import CHOICE_KINDS, QuestionKind
from qingdan.surveys.models import Answer, Survey


def _table(survey: Survey) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows: response number, time, unit, then one column per question (no phone, ever)."""
    questions = list(survey.questions.all())
    headers = ["序号", "提交时间", "单位代码", "单位", *[q.text for q in questions]]
    rows: dict[int, list[Any]] = {}
    index = {q.pk: i for i, q in enumerate(questions)}
    by_pk = {q.pk: q for q in questions}
    for response in survey.responses.select_related("unit").order_by("pk"):
        rows[response.pk] = [response.pk, timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                             response.unit.code, response.unit.name, *([""] * len(questions))]
    for answer in Answer.objects.filter(response__survey=survey).iterator(chunk_size=2000):
        question = by_pk[answer.question_id]
        if question.kind in CHOICE_KINDS:
            value: Any = "、".join(question.choices[i] for i in answer.chosen if i < len(question.choices))
        elif question.kind == QuestionKind.SCALE:
            value = answer.value
        else:
            value = answer.text
        rows[answer.response_id][4 + index[question.pk]] = value
    return headers, list(rows.values())


def responses_export(*, actor: Actor, survey: Survey, fmt: str = "xlsx") -> bytes:
    """Return the responses as an XLSX workbook or a UTF-8 CSV (with BOM, for Excel)."""
    headers, rows = _table(survey)
    # The writers escape every cell: question texts and answers alike.
    data = csv_bytes([headers, *rows]) if fmt == "csv" else xlsx_bytes(Sheet("问卷结果", [headers, *rows]))
    audit_record(actor=actor, action="surveys.responses_exported", obj=survey, after={"rows": len(rows), "format": fmt})
    return data
