"""Read the CSV and XLSX files people send, and write every CSV and XLSX the product emits.

Every importer (units, people, later submissions and dockets) reads through ``read_table`` so
encoding detection, header aliases and row numbering behave the same everywhere. Row numbers
are the ones a spreadsheet shows: the header is row 1, the first record row 2.

Every export writes through ``csv_bytes`` / ``csv_lines`` / ``CsvWriter`` / ``xlsx_bytes``, which
escape every text cell against formula injection (OWASP "CSV injection"): text that starts with
= + - @, a tab or a carriage return gets a leading apostrophe, and XLSX text cells are stored as
strings, so a citizen's ``=HYPERLINK(...)`` is shown, never run. Numbers and dates stay typed.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.core.errors import ImportRejected, RowError

_CJK = re.compile(r"[\u4e00-\u9fff]")

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
            errors=[RowError(0, "", _("the file is neither UTF-8 nor GBK text, nor an XLSX workbook"))],
            summary=_("Cannot read the file's encoding; nothing was imported."),
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
            errors=[RowError(record_number, "", _("malformed CSV in the record starting on line %(line)d: %(error)s")
                             % {"line": start_line, "error": exc})],
            summary=_("The CSV file is malformed; nothing was imported."),
        ) from exc


def _iter_xlsx(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # noqa: PLC0415 (openpyxl loads only when a spreadsheet is read or written)

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ImportRejected(
            errors=[RowError(0, "", _("not a readable XLSX workbook: %(error)s") % {"error": exc.__class__.__name__})],
            summary=_("The workbook cannot be opened; nothing was imported."),
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
                    errors=[RowError(0, "", _("the first sheet is damaged: %(error)s")
                                     % {"error": exc.__class__.__name__})],
                    summary=_("The workbook cannot be read; nothing was imported."),
                ) from exc
            yield ["" if v is None else _cell_text(v) for v in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes typed as numbers come back as 330106.0
    if hasattr(value, "isoformat"):
        return value.isoformat()  # dates and datetimes
    return str(value)


def column_headers(columns: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Return each code name's header as a person would write it: its first Chinese header, else itself."""
    return {canonical: next((h for h in aliases if _CJK.search(h)), canonical)
            for canonical, aliases in columns.items()}


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
        raise ImportRejected(errors=[RowError(0, "", _("file larger than 200 MB"))], summary=_("File too large."))
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportRejected(
            errors=[RowError(0, "", _("old binary .xls workbooks are not supported: save it as .xlsx or CSV"))],
            summary=_("Unsupported file format; nothing was imported."),
        )
    if data[:4] == b"PK\x03\x04":  # a zip: an XLSX workbook, or a damaged one (reported as such)
        records, encoding = _iter_xlsx(data), "xlsx"
    else:
        if b"\x00" in data[:65536] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            raise ImportRejected(
                errors=[RowError(0, "", _("binary data found: this is not a CSV text file"))],
                summary=_("Unsupported file format; nothing was imported."),
            )
        text, encoding = decode_text(data)
        records = _iter_csv(text)

    lookup: dict[str, str] = {}
    for canonical, aliases in columns.items():
        for alias in (canonical, *aliases):
            lookup[_normalise_header(alias)] = canonical

    header_row = next(records, None)
    if header_row is None:
        raise ImportRejected(errors=[RowError(1, "", _("the file is empty"))], summary=_("Empty file."))
    headers = [str(h) for h in header_row]
    if not any(h.strip() for h in headers):
        raise ImportRejected(errors=[RowError(1, "", _("the first row is empty: it must hold the column headers"))],
                             summary=_("No header row; nothing was imported."))
    positions: dict[int, str] = {}
    for index, header in enumerate(headers):
        known = lookup.get(_normalise_header(header))
        if known and known not in positions.values():
            positions[index] = known
    missing = [c for c in required if c not in positions.values()]
    if missing:
        named = column_headers(columns)
        accepted = "; ".join(f"{named[c]}: {' / '.join((c, *columns[c]))}" for c in missing)
        raise ImportRejected(
            errors=[RowError(1, c, _("required column is missing"), header=named[c]) for c in missing],
            summary=_("Missing required columns (%(columns)s); nothing was imported.") % {"columns": accepted},
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


# --- writing ---------------------------------------------------------------------------------

# The characters that make a spreadsheet read a cell as a formula (or split it into one), per OWASP.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl refuses them); tab, LF and CR are allowed.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NUMBERS = (bool, int, float, decimal.Decimal)


def escape_cell(value: Any) -> Any:
    """Make typed text inert in a spreadsheet: text starting with = + - @ tab or CR gets a '.

    Anything that is not a number, a date or None is written as text (lazy translations included),
    so it is escaped too. The importers undo it with ``unescape_cell``.
    """
    if value is None or isinstance(value, (*_NUMBERS, datetime.date)):
        return value
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in FORMULA_START:
        return "'" + text
    return text


def unescape_cell(value: str) -> str:
    """Undo ``escape_cell`` (a ' before = + - @ tab or CR), so an export re-imports as it was."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def _local(moment: datetime.datetime) -> datetime.datetime:
    # Spreadsheets hold no time zones: write the project's local time, as the pages show it.

    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    return escape_cell(value)


class CsvWriter:
    """``csv.writer`` with every field escaped: the only way a CSV leaves the product."""

    def __init__(self, handle: Any, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one record; returns what the handle's ``write`` returned (the line, for streaming)."""
        return self._writer.writerow([_csv_value(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many records."""
        for row in rows:
            self.writerow(row)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """Yield a CSV line by line (for a streaming response); UTF-8 BOM first so Excel reads Chinese."""
    writer = CsvWriter(_Echo())
    if bom:
        yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def csv_bytes(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> bytes:
    """The whole CSV as UTF-8 bytes (with a BOM unless told otherwise)."""
    return "".join(csv_lines(rows, bom=bom)).encode("utf-8")


@dataclass
class Sheet:
    """One worksheet to write: its title, its rows (the first is usually the header), column widths.

    ``heading`` sets the first row in large bold type (a report's title line).
    """

    title: str
    rows: Iterable[Sequence[Any]]
    widths: Mapping[str, float] = field(default_factory=dict)
    heading: bool = False


_SHEET_TITLE = re.compile(r"[\\/*?:\[\]]")


def _xlsx_cell(sheet: Any, value: Any, bold: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 (openpyxl loads only when a spreadsheet is read or written)

    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=_local(value))
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # the stub is narrower than Cell
        cell.number_format = "yyyy-mm-dd"
    elif value is None or isinstance(value, _NUMBERS):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # the stub is narrower than Cell
    else:
        cell = WriteOnlyCell(sheet, value=_ILLEGAL_XML.sub("", escape_cell(value)))
        cell.data_type = "s"  # never a formula, nor an error value such as #N/A
    if bold is not None:
        cell.font = bold
    return cell


def xlsx_bytes(sheets: Sheet | Sequence[Sheet]) -> bytes:
    """Write one workbook of one or more sheets, streaming (write-only mode), every text cell escaped."""
    from openpyxl import Workbook  # noqa: PLC0415 (openpyxl loads only when a spreadsheet is read or written)
    from openpyxl.styles import Font  # noqa: PLC0415 (openpyxl loads only when a spreadsheet is read or written)

    workbook = Workbook(write_only=True)
    for spec in [sheets] if isinstance(sheets, Sheet) else sheets:
        sheet = workbook.create_sheet(_SHEET_TITLE.sub(" ", str(spec.title))[:31] or "Sheet")
        for column, width in spec.widths.items():
            sheet.column_dimensions[column].width = width
        bold = Font(bold=True, size=14) if spec.heading else None
        for number, row in enumerate(spec.rows):
            sheet.append([_xlsx_cell(sheet, v, bold if number == 0 else None) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
