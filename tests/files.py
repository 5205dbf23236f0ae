"""Build the CSV and XLSX files that import tests feed in."""

from __future__ import annotations

import io

from openpyxl import Workbook


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    """Return the lines as a CSV file in the given encoding."""
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(*rows: list) -> bytes:
    """Return a one-sheet workbook holding the rows."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
