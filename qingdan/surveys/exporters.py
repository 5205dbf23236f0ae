"""Export a questionnaire's responses (one row each) to XLSX or CSV; audited, formulas made inert."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone

from qingdan.audit.services import audit_record
from qingdan.dockets.exporters import escape_cell
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
    table = [[escape_cell(v) if isinstance(v, str) else v for v in row] for row in rows.values()]
    return headers, table


def responses_export(*, actor: Any, survey: Survey, fmt: str = "xlsx") -> bytes:
    """Return the responses as an XLSX workbook or a UTF-8 CSV (with BOM, for Excel)."""
    headers, rows = _table(survey)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
        data = ("\ufeff" + out.getvalue()).encode("utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("问卷结果")
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    audit_record(actor=actor, action="surveys.responses_exported", obj=survey, after={"rows": len(rows), "format": fmt})
    return data
