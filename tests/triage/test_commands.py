"""``qingdan triage classify|locate|group`` over CSV (UTF-8, GBK) and XLSX files."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

ROWS = [
    ("1", "U1", "魅力之城小区餐馆油烟扰民", "A5区魅力之城小区楼下的餐馆油烟太大，晚上噪音也很大，居民无法休息。",
     "2019-08-01 10:00:00", "3"),
    ("2", "U2", "魅力之城小区油烟噪音问题", "A5区魅力之城小区临街餐馆油烟直排，噪音扰民，希望尽快处理。",
     "2019-08-02 10:00:00", "1"),
    ("3", "U3", "经济学院强制学生实习", "某经济学院要求学生到指定企业实习，不去就不发毕业证。",
     "2019-08-03 10:00:00", "0"),
    ("4", "U4", "", "！！！？？？", "2019-08-04 10:00:00", "0"),  # GBK has no emoji: only punctuation
    ("5", "U5", "杭州市西湖区留下街道路灯坏了", "留下街道小和山社区门口路灯坏了一个月。", "2019-08-05 10:00:00", "0"),
]
HEADER = ["留言编号", "留言用户", "留言主题", "留言详情", "留言时间", "点赞数"]


def _csv(rows=ROWS, header=HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def gbk_file(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(_csv().encode("gbk"))
    return path


def test_classify_one_row_per_input_row_in_order(gbk_file, tmp_path):
    out = tmp_path / "out.csv"
    call_command("triage", "classify", str(gbk_file), "--output", str(out))
    rows = _read(out)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert list(rows[0]) == ["id", "category", "confidence"]
    assert rows[2]["category"] == "教育文体"
    assert rows[3]["category"] == "" and float(rows[3]["confidence"]) == 0  # punctuation only


def test_classify_xlsx_with_english_headers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title", "text"])
    sheet.append(["a", "公司拖欠工资", "老板拖欠工资不发"])
    sheet.append(["b", "學校亂收費", "孩子的學校亂收費"])
    path = tmp_path / "in.xlsx"
    book.save(path)
    out = tmp_path / "out.csv"
    call_command("triage", "classify", str(path), "--output", str(out))
    assert [(r["id"], r["category"]) for r in _read(out)] == [("a", "劳动和社会保障"), ("b", "教育文体")]


def test_locate(gbk_file, tmp_path):
    out = tmp_path / "out.csv"
    call_command("triage", "locate", str(gbk_file), "--output", str(out))
    rows = {r["id"]: r for r in _read(out)}
    assert list(next(iter(rows.values()))) == ["id", "unit_code", "unit_name", "confidence"]
    assert rows["5"]["unit_code"] == "330106009005"
    assert rows["1"]["unit_code"] == ""


def test_group_and_issues(gbk_file, tmp_path):
    out, issues = tmp_path / "out.csv", tmp_path / "issues.csv"
    call_command("triage", "group", str(gbk_file), "--output", str(out), "--issues", str(issues))
    rows = {r["id"]: r["issue"] for r in _read(out)}
    assert rows["1"] == rows["2"] != rows["3"]
    assert rows["4"] not in (rows["1"], rows["3"])
    listed = _read(issues)
    assert list(listed[0]) == ["issue", "heat", "size", "submitters", "title", "place", "first", "last"]
    top = listed[0]
    assert top["issue"] == rows["1"] and top["size"] == "2" and top["submitters"] == "2"
    assert top["first"] == "2019-08-01 10:00:00"


def test_a_file_without_text_columns_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="subject"):
        call_command("triage", "classify", str(path))


def test_a_binary_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(CommandError):
        call_command("triage", "group", str(path))


def test_huge_message(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(_csv([("1", "U", "噪音", "楼下饭店噪音" * 20_000, "2019-08-01", "0")]), encoding="utf-8")
    out = tmp_path / "out.csv"
    call_command("triage", "classify", str(path), "--output", str(out))
    assert len(_read(out)) == 1


def test_emoji_and_english_in_utf8(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(_csv([("1", "U", "", "😀😀🙏", "", "0"), ("2", "U", "Noise", "The bar is loud at night", "", "0")]),
                    encoding="utf-8")
    out = tmp_path / "out.csv"
    call_command("triage", "classify", str(path), "--output", str(out))
    rows = _read(out)
    assert rows[0]["category"] == ""
    assert rows[1]["category"] != ""


def _labeled_file(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["留言主题", "留言详情", "一级标签"])
        writer.writerows(rows)
    return path


_TOPICS = {"劳动和社会保障": ("拖欠工资", "老板拖欠工资不发社保也不交"),
           "环境保护": ("工厂排污", "化工厂偷排废水河里的鱼都死了")}


def test_evaluate_reports_held_out_figures_for_the_seed_asked(tmp_path: Path):
    rows = [(f"{subject}{i}号", f"{body}，第{i}次反映，地点{i}", label)
            for label, (subject, body) in _TOPICS.items() for i in range(12)]
    path = _labeled_file(tmp_path / "labeled.csv", rows)
    out = io.StringIO()
    call_command("triage", "evaluate", str(path), "--folds", "3", "--seed", "1", stdout=out)
    text = out.getvalue()
    assert "3-fold cross-validation (seed 1) on 24 whole messages" in text
    assert "macro-F1 1.0000" in text
    assert "环境保护\t1.0000" in text


def test_evaluate_scores_unlearnable_labels_at_chance(tmp_path: Path):
    # Coin-flip labels, a body shared by all and a subject unique to each message: nothing to
    # learn. The figure must say so (and the subject view, whose n-grams all occur once, sits out
    # instead of stopping the training).
    import random

    rng = random.Random(4)
    chars = [chr(0x4E00 + 7 * k) for k in range(600)]
    rows = [("".join(chars[i * 5:(i + 1) * 5]), "请有关部门处理一下这个问题", rng.choice(sorted(_TOPICS)))
            for i in range(60)]
    path = _labeled_file(tmp_path / "coin.csv", rows)
    out = io.StringIO()
    call_command("triage", "evaluate", str(path), "--folds", "3", stdout=out)
    f1 = float(out.getvalue().split("macro-F1 ")[1].split(",")[0])
    assert f1 < 0.8  # chance, not a learnt 1.0


def test_train_on_one_category_is_refused_with_a_message_and_keeps_the_model(tmp_path: Path):
    path = _labeled_file(tmp_path / "one.csv", [("拖欠工资", "老板拖欠工资", "劳动和社会保障")] * 3)
    model = tmp_path / "model.joblib"
    with pytest.raises(CommandError, match="two categories"):
        call_command("triage", "train", str(path), "--model", str(model))
    assert not model.exists()
