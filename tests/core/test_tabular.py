"""read_table: the one reader behind every import (encodings, headers, row numbers, bad files)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from qingdan.core.errors import ImportRejected, RowError
from qingdan.core.tabular import decode_text, read_table
from tests.files import xlsx_bytes

COLUMNS = {"code": ["编码", "单位编码"], "name": ["名称", "单位名称"], "parent": ["上级编码"]}
REQUIRED = ["code", "name"]


def rows_of(data: bytes | str | Path, required=REQUIRED) -> list[tuple[int, dict[str, str]]]:
    table = read_table(data, COLUMNS, required=required)
    return [(row.number, row.values) for row in table.rows]


def rejected(data: bytes | str | Path, required=REQUIRED) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        read_table(data, COLUMNS, required=required)
    return info.value


# --- encodings ----------------------------------------------------------------------------------------------


def test_plain_utf8_with_english_headers():
    table = read_table(b"code,name,parent\n330106,West Lake,3301\n", COLUMNS, required=REQUIRED)
    assert table.encoding == "utf-8"
    assert table.headers == ["code", "name", "parent"]
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"code": "330106", "name": "West Lake", "parent": "3301"})]


def test_utf8_with_bom_and_chinese_headers():
    data = "\ufeff编码,名称,上级编码\n330106,西湖区,3301\n".encode()
    assert data.startswith(b"\xef\xbb\xbf")
    table = read_table(data, COLUMNS, required=REQUIRED)
    assert table.encoding == "utf-8"
    # The BOM must not stick to the first header, or "编码" would not be recognised.
    assert [r.values for r in table.rows] == [{"code": "330106", "name": "西湖区", "parent": "3301"}]


def test_gbk_csv_is_detected_and_decoded():
    text = "单位编码,单位名称,上级编码\n330106,西湖区,3301\n330108,滨江区,3301\n"
    data = text.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8: the reader has to detect GBK
    table = read_table(data, COLUMNS, required=REQUIRED)
    assert table.encoding == "gb18030"
    assert [r.values["name"] for r in table.rows] == ["西湖区", "滨江区"]
    assert [r.number for r in table.rows] == [2, 3]


def test_gbk_file_read_from_a_path(tmp_path):
    path = tmp_path / "单位.csv"
    path.write_bytes("编码,名称\n33,浙江省\n".encode("gbk"))
    assert rows_of(path) == [(2, {"code": "33", "name": "浙江省"})]
    assert rows_of(str(path)) == [(2, {"code": "33", "name": "浙江省"})]


def test_decode_text_prefers_utf8_then_gb18030():
    assert decode_text("西湖区".encode()) == ("西湖区", "utf-8")
    assert decode_text("西湖区".encode("gbk")) == ("西湖区", "gb18030")


def test_utf16_text_export_is_read_not_called_binary():
    # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated. It is full of NUL bytes.
    data = "编码\t名称\n330106\t西湖区\n".encode("utf-16")
    assert b"\x00" in data
    assert rows_of(data) == [(2, {"code": "330106", "name": "西湖区"})]


# --- separators, headers, blank lines -------------------------------------------------------------------------


def test_tab_separated_file():
    data = "编码\t名称\t上级编码\n330106\t西湖区\t3301\n".encode()
    assert rows_of(data) == [(2, {"code": "330106", "name": "西湖区", "parent": "3301"})]


def test_header_aliases_ignore_case_spaces_and_column_order():
    data = " Name ,上级编码, CODE ,remark\n西湖区,3301,330106,ignored\n".encode()
    table = read_table(data, COLUMNS, required=REQUIRED)
    assert [r.values for r in table.rows] == [{"name": "西湖区", "parent": "3301", "code": "330106"}]
    assert table.headers == [" Name ", "上级编码", " CODE ", "remark"]


def test_first_of_two_columns_for_the_same_field_wins():
    data = "编码,名称,code\n1,a,2\n".encode()
    assert rows_of(data) == [(2, {"code": "1", "name": "a"})]


def test_values_are_stripped_and_short_rows_padded():
    data = "code,name,parent\n  330106 ,  西湖区  \n".encode()
    assert rows_of(data) == [(2, {"code": "330106", "name": "西湖区", "parent": ""})]


def test_blank_lines_are_skipped_and_row_numbers_match_the_spreadsheet():
    data = b"code,name\n1,a\n\n2,b\n , \n\n3,c\n"
    assert rows_of(data) == [(2, {"code": "1", "name": "a"}), (4, {"code": "2", "name": "b"}),
                             (7, {"code": "3", "name": "c"})]


def test_quoted_field_with_line_break_is_one_spreadsheet_row():
    data = b'code,name\n1,"two\nlines"\n2,b\n'
    assert rows_of(data) == [(2, {"code": "1", "name": "two\nlines"}), (3, {"code": "2", "name": "b"})]


def test_crlf_line_endings():
    assert rows_of(b"code,name\r\n1,a\r\n2,b\r\n") == [(2, {"code": "1", "name": "a"}),
                                                      (3, {"code": "2", "name": "b"})]


def test_header_only_file_has_no_rows():
    assert rows_of(b"code,name\n") == []


def test_missing_required_column_lists_the_accepted_headers():
    error = rejected("编码,备注\n1,x\n".encode())
    assert [(e.row, e.column) for e in error.errors] == [(1, "name")]
    assert re.fullmatch("required column is missing|缺少必需的列", error.errors[0].reason)
    assert error.errors[0].header == "名称"  # named as the person's spreadsheet would name it
    assert "name / 名称 / 单位名称" in error.summary
    assert re.search("nothing was imported|未导入任何内容", error.summary)
    assert "名称" in error.report()


def test_every_missing_required_column_is_reported():
    error = rejected(b"foo,bar\n1,2\n", required=["code", "name", "parent"])
    assert [(e.row, e.column) for e in error.errors] == [(1, "code"), (1, "name"), (1, "parent")]
    assert "上级编码" in error.summary


# --- XLSX -----------------------------------------------------------------------------------------------------


def test_xlsx_with_chinese_headers_and_numeric_codes():
    data = xlsx_bytes(["编码", "名称", "上级编码"], [330106, "西湖区", 3301], [330106009001.0, "留下村", 330106009.0])
    table = read_table(data, COLUMNS, required=REQUIRED)
    assert table.encoding == "xlsx"
    # Numbers typed into cells come back as int or float; a code must never read "330106.0".
    assert [r.values for r in table.rows] == [
        {"code": "330106", "name": "西湖区", "parent": "3301"},
        {"code": "330106009001", "name": "留下村", "parent": "330106009"},
    ]


def test_xlsx_float_cells_are_normalised():
    from openpyxl import load_workbook

    data = xlsx_bytes(["code", "name"], [330106.0, 1.5])
    # openpyxl hands the float back: the reader, not the writer, must turn it into "330106".
    assert isinstance(load_workbook(io.BytesIO(data)).active["A2"].value, float | int)
    assert rows_of(data) == [(2, {"code": "330106", "name": "1.5"})]


def test_xlsx_blank_rows_skipped_with_spreadsheet_row_numbers():
    data = xlsx_bytes(["code", "name"], ["1", "a"], [], [None, None], ["2", "b"])
    assert rows_of(data) == [(2, {"code": "1", "name": "a"}), (5, {"code": "2", "name": "b"})]


def test_xlsx_dates_become_iso_text():
    import datetime

    data = xlsx_bytes(["code", "name"], ["1", datetime.date(2024, 3, 1)])
    assert rows_of(data)[0][1]["name"].startswith("2024-03-01")


def test_xlsx_reads_only_the_first_sheet():
    workbook = Workbook()
    workbook.active.append(["code", "name"])
    workbook.active.append(["1", "first"])
    other = workbook.create_sheet("other")
    other.append(["code", "name"])
    other.append(["2", "second"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert rows_of(buffer.getvalue()) == [(2, {"code": "1", "name": "first"})]


def test_xlsx_missing_required_column():
    error = rejected(xlsx_bytes(["编码", "remark"], ["1", "x"]))
    assert [(e.row, e.column) for e in error.errors] == [(1, "name")]


# --- files that must be refused ------------------------------------------------------------------------------


def test_old_xls_is_refused_with_a_clear_message():
    error = rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"junk" * 100)
    assert len(error.errors) == 1
    assert ".xls" in error.errors[0].reason
    assert "xlsx" in error.errors[0].reason.lower()


def test_truncated_xlsx_is_reported_as_a_broken_workbook():
    data = xlsx_bytes(["code", "name"], ["1", "a"])
    error = rejected(data[: len(data) // 2])
    assert "XLSX" in error.errors[0].reason
    assert re.search("workbook|工作簿", error.summary)


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    error = rejected(buffer.getvalue())
    assert "XLSX" in error.errors[0].reason


def test_xlsx_with_damaged_sheet_is_rejected_not_crashing():
    original = xlsx_bytes(["code", "name"], ["1", "a"], ["2", "b"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name.endswith("sheet1.xml"):
                content = content[: len(content) // 2]  # cut the XML in the middle
            target.writestr(name, content)
    error = rejected(buffer.getvalue())
    assert re.search("damaged|已损坏", error.errors[0].reason)
    assert re.search("nothing was imported|未导入任何内容", error.summary)


def test_unterminated_quote_names_the_row_where_it_starts():
    data = b'code,name\n1,a\n2,"never closed\n3,c\n4,d\n'
    error = rejected(data)
    assert len(error.errors) == 1
    assert error.errors[0].row == 3  # the record that opened the quote, not the last line of the file
    assert re.search("malformed CSV|CSV 格式有误", error.errors[0].reason)
    assert re.search("line 3|第 3 行", error.errors[0].reason)


def test_stray_quote_after_closing_quote():
    error = rejected(b'code,name\n1,a\n2,"b"c\n')
    assert error.errors[0].row == 3
    assert re.search("malformed CSV|CSV 格式有误", error.errors[0].reason)


def test_malformed_row_number_counts_multiline_records_as_one_row():
    data = b'code,name\n1,"multi\nline\nname"\n2,"b"x\n'
    assert rejected(data).errors[0].row == 3


def test_binary_file_is_refused():
    error = rejected(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert re.search("binary|二进制", error.errors[0].reason)


def test_empty_file():
    error = rejected(b"")
    assert [(e.row, e.column) for e in error.errors] == [(1, "")]
    assert re.fullmatch("the file is empty|文件是空的", error.errors[0].reason)


def test_bom_only_file_is_empty():
    assert re.fullmatch("the file is empty|文件是空的", rejected(b"\xef\xbb\xbf").errors[0].reason)


def test_blank_first_row_is_not_taken_for_headers():
    error = rejected(b"\n\ncode,name\n1,a\n")
    assert error.errors[0].row == 1
    assert re.search("header|标题", error.errors[0].reason)


def test_oversized_file_is_refused(monkeypatch):
    import qingdan.core.tabular as tabular

    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 20)
    error = rejected(b"code,name\n" + b"1,a\n" * 10)
    assert "200 MB" in error.errors[0].reason


def test_report_lists_every_error_with_row_and_column():
    error = ImportRejected(errors=[RowError(3, "code", "empty code"), RowError(5, "", "bad")], summary="2 problems")
    assert error.report().splitlines() == ["2 problems", "row 3, column code: empty code", "row 5, column -: bad"]
    assert error.code == "import_rejected"
