"""Read the CSV and XLSX files people actually send: UTF-8 or GBK, Chinese or English headers.

Every importer (units, people, later submissions and dockets) reads through ``read_table`` so
encoding detection, header aliases and row numbering behave the same everywhere. Row numbers
are the ones a spreadsheet shows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from qingdan.core.errors import ImportRejected, RowError

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    """One record: its spreadsheet row number and its values under canonical column names."""

    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        """Return the stripped value of a column, or an empty string."""
        return self.values.get(column, "")


@dataclass
class Table:
    """The records of a file, with the encoding it was read in (``xlsx`` for workbooks)."""

    rows: list[Row]
    encoding: str
    headers: list[str]


def _normalise_header(text: str) -> str:
    return "".join(str(text).replace("\ufeff", "").split()).lower()


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file, trying UTF-8, then GB18030 (a superset of GBK), then detection."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text" export: UTF-16 with a BOM
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise ImportRejected(
            errors=[RowError(0, "", "the file is neither UTF-8 nor GBK text, nor an XLSX workbook")],
            summary="Cannot read the file's encoding; nothing was imported.",
        )
    return str(best), best.encoding


def _iter_csv(text: str) -> Iterator[list[str]]:
    # Decide on the header line alone: quoted text below it may hold more tabs than commas
    # (messages copied from web pages are indented with tabs).
    sample = text[:4096].split("\n", 1)[0]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > 0:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    # Report the spreadsheet row of the record being read (a quoted field may span several
    # lines, and an unterminated quote is only noticed at the end of the file).
    record_number, start_line = 1, 1
    try:
        for record in reader:
            yield record
            record_number, start_line = record_number + 1, reader.line_num + 1
    except csv.Error as exc:
        raise ImportRejected(
            errors=[RowError(record_number, "", f"malformed CSV in the record starting on line {start_line}: {exc}")],
            summary="The CSV file is malformed; nothing was imported.",
        ) from exc


def _iter_xlsx(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ImportRejected(
            errors=[RowError(0, "", f"not a readable XLSX workbook: {exc.__class__.__name__}")],
            summary="The workbook cannot be opened; nothing was imported.",
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                break
            except Exception as exc:  # a damaged sheet inside a readable zip: bad XML, bad cell values
                raise ImportRejected(
                    errors=[RowError(0, "", f"the first sheet is damaged: {exc.__class__.__name__}")],
                    summary="The workbook cannot be read; nothing was imported.",
                ) from exc
            yield ["" if v is None else _cell_text(v) for v in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes typed as numbers come back as 330106.0
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return, attr-defined]  # dates and datetimes
    return str(value)


def read_table(
    source: str | Path | bytes,
    columns: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str] = (),
) -> Table:
    """Read a CSV or XLSX file into rows keyed by canonical column names.

    ``columns`` maps each canonical name to the headers accepted for it (English and Chinese).
    A missing required column, an unreadable file or malformed CSV raises ``ImportRejected``.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected(errors=[RowError(0, "", "file larger than 200 MB")], summary="File too large.")
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportRejected(
            errors=[RowError(0, "", "old binary .xls workbooks are not supported: save it as .xlsx or CSV")],
            summary="Unsupported file format; nothing was imported.",
        )
    if data[:4] == b"PK\x03\x04":  # a zip: an XLSX workbook, or a damaged one (reported as such)
        records, encoding = _iter_xlsx(data), "xlsx"
    else:
        if b"\x00" in data[:65536] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            raise ImportRejected(
                errors=[RowError(0, "", "binary data found: this is not a CSV text file")],
                summary="Unsupported file format; nothing was imported.",
            )
        text, encoding = decode_text(data)
        records = _iter_csv(text)

    lookup: dict[str, str] = {}
    for canonical, aliases in columns.items():
        for alias in (canonical, *aliases):
            lookup[_normalise_header(alias)] = canonical

    header_row = next(records, None)
    if header_row is None:
        raise ImportRejected(errors=[RowError(1, "", "the file is empty")], summary="Empty file.")
    headers = [str(h) for h in header_row]
    if not any(h.strip() for h in headers):
        raise ImportRejected(errors=[RowError(1, "", "the first row is empty: it must hold the column headers")],
                             summary="No header row; nothing was imported.")
    positions: dict[int, str] = {}
    for index, header in enumerate(headers):
        canonical = lookup.get(_normalise_header(header))
        if canonical and canonical not in positions.values():
            positions[index] = canonical
    missing = [c for c in required if c not in positions.values()]
    if missing:
        accepted = "; ".join(f"{c}: {' / '.join((c, *columns[c]))}" for c in missing)
        raise ImportRejected(
            errors=[RowError(1, c, "required column is missing") for c in missing],
            summary=f"Missing required columns ({accepted}); nothing was imported.",
        )

    rows: list[Row] = []
    for number, record in enumerate(records, start=2):
        if not any(str(cell).strip() for cell in record):
            continue
        values = {
            canonical: str(record[index]).strip() if index < len(record) else ""
            for index, canonical in positions.items()
        }
        rows.append(Row(number=number, values=values))
    return Table(rows=rows, encoding=encoding, headers=headers)
