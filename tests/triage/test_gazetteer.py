"""Locate against the shipped gazetteer (real division names)."""

import pytest

from qingdan.triage.gazetteer import Gazetteer, get_gazetteer


@pytest.fixture(scope="module")
def gaz():
    return get_gazetteer()


def test_full_path_down_to_the_community(gaz):
    loc = gaz.locate("杭州市西湖区留下街道小和山社区门口垃圾没人清理")
    assert loc.code == "330106009005"
    assert loc.name == "浙江省杭州市西湖区留下街道小和山社区"
    assert loc.confidence >= 0.9


def test_short_township_name_with_its_county(gaz):
    loc = gaz.locate("西湖区留下的公交站台坏了")
    assert loc.code == "330106009"


def test_a_bare_short_township_name_is_not_taken_from_ordinary_words(gaz):
    # 下水 is a township (下水乡) somewhere, and also a drain: without context it is no place.
    assert gaz.locate("楼下下水道堵了").code == ""


def test_repeated_county_name_is_ambiguous_without_context(gaz):
    loc = gaz.locate("西湖区文三路噪音扰民")
    assert loc.code == ""
    assert loc.ambiguous
    assert {"330106", "360103"} <= {c.code for c in loc.candidates}


def test_repeated_name_settled_by_a_named_city(gaz):
    assert gaz.locate("南昌市西湖区的路灯不亮").code == "360103"
    assert gaz.locate("杭州西湖区的路灯不亮").code.startswith("330106")


def test_repeated_name_settled_by_the_channel_unit(gaz):
    assert gaz.locate("西湖区文三路噪音扰民", context_code="3301").code == "330106"


def test_traditional_characters(gaz):
    assert gaz.locate("濟南市歷下區解放路").code == "370102"


@pytest.mark.parametrize("text", ["", "😀😀", "hello world", "A市A5区魅力之城小区", "路" * 100_000])
def test_no_place_no_crash(gaz, text):
    loc = gaz.locate(text)
    assert loc.code == "" or loc.code.isdigit()


def test_small_gazetteer_resolves_short_forms():
    gaz = Gazetteer([("33", "浙江省"), ("3301", "杭州市"), ("330106", "西湖区"), ("330106009", "留下街道"),
                     ("330106009001", "留下村村民委员会"), ("330106009002", "高井村委会")])
    assert gaz.locate("杭州留下村的路坏了").code == "330106009001"
    assert gaz.locate("西湖区高井村的路坏了").code == "330106009002"
    assert gaz.full_name("330106009") == "浙江省杭州市西湖区留下街道"


def test_short_city_names_used_as_words_need_context(gaz):
    # 合作 (合作市) and 资源 (资源县) are ordinary words in the shared messages.
    assert gaz.locate("供销合作社在岗失业职工追缴社保").code == ""
    assert gaz.locate("甘肃省合作市供销社").code == "623001"


def test_a_word_does_not_back_its_own_township(gaz):
    # 比如 names 比如县 (a common word, needs context) and its seat 比如镇: the one mention must
    # not count as the county backing the township. Same for 大安 inside 重大安全.
    assert gaz.locate("比如说我们小区的物业不作为").code == ""
    assert gaz.locate("存在重大安全隐患，请尽快处理").code == ""
    assert gaz.locate("西藏比如县比如镇的道路").code.startswith("540622")


def test_a_township_name_inside_ordinary_words_is_not_sure(gaz):
    located = gaz.locate("这属于城镇规划的问题")  # 于城镇 is a town in 海盐县
    assert located.confidence < 0.7
    assert gaz.locate("海盐县于城镇的河道").confidence >= 0.7
