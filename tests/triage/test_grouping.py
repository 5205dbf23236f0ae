"""The incremental grouping index and the heat formula."""

import numpy as np

from qingdan.triage import grouping
from qingdan.triage.grouping import GroupIndex, heat, vectorize

SMOKE = [("魅力之城小区餐馆油烟扰民", "A5区魅力之城小区楼下的餐馆油烟太大，晚上噪音也很大，居民无法休息。"),
         ("魅力之城小区油烟噪音问题", "A5区魅力之城小区临街餐馆油烟直排，噪音扰民，希望尽快处理。"),
         ("投诉魅力之城小区餐饮店油烟", "魅力之城小区一楼餐馆油烟和噪音严重影响居民生活，A5区请处理。")]
OTHER = ("经济学院强制学生实习", "某经济学院要求学生到指定企业实习，不去就不发毕业证。")


def test_bigram_columns_are_stable_and_in_range():
    cols = grouping.bigram_columns("魅力之城")
    assert cols.tolist() == grouping.bigram_columns("魅力之城").tolist()
    assert len(cols) == 3
    assert (cols >= 0).all() and (cols < grouping.BUCKETS).all()


def test_vector_is_unit_length_and_empty_text_is_empty():
    v = vectorize(*SMOKE[0])
    assert abs(float(np.dot(v.val, v.val)) - 1) < 1e-4
    assert vectorize("", "").idx.size == 0
    assert vectorize("", "😀").idx.size == 1


def test_same_problem_joins_other_problem_opens():
    index = GroupIndex()
    decisions = [index.add(vectorize(*m), at=i, submitter=f"u{i}") for i, m in enumerate(SMOKE)]
    other = index.add(vectorize(*OTHER), at=10, submitter="x")
    assert decisions[0].opened
    assert {d.issue for d in decisions} == {decisions[0].issue}
    assert other.opened and other.issue != decisions[0].issue
    assert index.issues[decisions[0].issue].size == 3


def test_old_issues_and_other_places_are_not_joined():
    index = GroupIndex(window_days=30)
    first = index.add(vectorize(*SMOKE[0]), at=0)
    late = index.add(vectorize(*SMOKE[1]), at=31 * 86400)
    assert late.issue != first.issue
    index = GroupIndex()
    a = index.add(vectorize(*SMOKE[0]), place="330106")
    b = index.add(vectorize(*SMOKE[1]), place="330108")
    c = index.add(vectorize(*SMOKE[2]), place="330106009")
    assert b.issue != a.issue
    assert c.issue == a.issue  # a township of the same county is the same place, more precisely


def test_vector_json_round_trip():
    v = vectorize(*SMOKE[0])
    again = grouping.Vector.from_json(v.as_json())
    assert abs(v.dot(again) - 1) < 1e-3


def test_heat_counts_people_more_than_repeats():
    one_person_twenty_times = heat(size=20, submitters=1, likes=0)
    five_people_once = heat(size=5, submitters=5, likes=0)
    assert five_people_once > one_person_twenty_times
    assert heat(size=5, submitters=5, likes=100) > five_people_once
    assert heat(size=5, submitters=5, likes=0, age_days=30) == round(five_people_once / 2, 4)
    assert heat(size=0, submitters=0, likes=0) == 0


def test_an_unsure_place_does_not_keep_one_problem_apart():
    index = GroupIndex()
    a = index.add(vectorize(*SMOKE[0]), place=grouping.group_place("330106", 0.9))
    # The second message's place was read from an ordinary word: grouping must not rely on it.
    b = index.add(vectorize(*SMOKE[1]), place=grouping.group_place("540622100", 0.6))
    c = index.add(vectorize(*SMOKE[2]), place=grouping.group_place("330108", 0.9))
    assert b.issue == a.issue
    assert c.issue != a.issue  # a sure place elsewhere still opens its own issue
