from pathlib import Path

import pytest

from qingdan.core.errors import ImportRejected
from qingdan.triage.training import dedupe, examples_from_files


def test_dedupe_keeps_whole_messages_and_drops_their_parts():
    rows = [("噪音扰民", "楼下饭店很吵", "环境保护"), ("噪音扰民", "", "环境保护"), ("", "楼下 饭店\n很吵", "环境保护"),
            ("", "另一条", "城乡建设"), ("", "另一条", "城乡建设"), ("无标签", "", "")]
    examples = dedupe(rows)
    assert [(e.subject, e.body, e.label) for e in examples] == [
        ("噪音扰民", "楼下饭店很吵", "环境保护"), ("", "另一条", "城乡建设")]


def test_examples_from_a_gbk_file(tmp_path: Path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("留言主题,留言详情,一级标签\n拖欠工资,老板拖欠工资,劳动和社会保障\n".encode("gbk"))
    examples = examples_from_files([path])
    assert examples[0].label == "劳动和社会保障"


def test_a_file_without_a_label_column_is_refused(tmp_path: Path):
    path = tmp_path / "nolabel.csv"
    path.write_text("留言主题\n拖欠工资\n", encoding="utf-8")
    with pytest.raises(ImportRejected):
        examples_from_files([path])
