"""The shipped model and the classifier's behaviour on awkward input."""

import pytest

from qingdan.triage.classifier import Classifier, Example, get_classifier


@pytest.fixture(scope="module")
def model():
    return get_classifier()


def test_shipped_model_knows_the_seven_categories(model):
    assert len(model.classes) == 7
    assert "城乡建设" in model.classes


@pytest.mark.parametrize(("subject", "body", "expected"), [
    ("公司拖欠工资", "我们在A市某公司工作半年，老板一直拖欠工资不发，社保也没有缴纳。", "劳动和社会保障"),
    ("学校乱收费", "孩子所在的小学要求家长缴纳补课费和资料费，请教育局查处。", "教育文体"),
    ("化工厂排放废气", "工厂每天晚上偷排废气，气味刺鼻，河水也被污染了。", "环境保护"),
    ("出租车拒载", "晚上在火车站打出租车，司机拒载还乱收费，请交通部门管一管。", "交通运输"),
    ("医院收费不合理", "在市人民医院看病，医生开了很多不必要的检查，医保报销也有问题。", "卫生计生"),
])
def test_obvious_messages(model, subject, body, expected):
    prediction = model.predict([(subject, body)], reasons=3)[0]
    assert prediction.category == expected
    assert 0 < prediction.confidence <= 1
    assert prediction.reasons  # the operator sees why


def test_traditional_chinese_reads_like_simplified(model):
    simplified = model.predict([("公司拖欠工资", "老板一直拖欠工资不发，社保也没有缴纳。")])[0]
    traditional = model.predict([("公司拖欠工資", "老闆一直拖欠工資不發，社保也沒有繳納。")])[0]
    assert traditional.category == simplified.category


@pytest.mark.parametrize("body", ["", "   ", "！！！？？", "😀😀🙏🙏"])
def test_nothing_to_classify_gives_no_category(model, body):
    prediction = model.predict([("", body)])[0]
    assert prediction.category == ""
    assert prediction.confidence == 0.0


def test_huge_english_and_mixed_inputs_do_not_crash(model):
    out = model.predict([("", "噪音" * 50_000), ("noise", "The restaurant downstairs is too loud at night."),
                         ("A3区WiFi", "小区wifi信号差 and 物业不管 🙄")])
    assert len(out) == 3
    assert out[0].category in model.classes


def test_order_is_kept_in_a_batch(model):
    pairs = [("公司拖欠工资", ""), ("学校乱收费", ""), ("公司拖欠工资", "")]
    categories = [p.category for p in model.predict(pairs)]
    assert categories[0] == categories[2] != categories[1]


def test_train_save_load_round_trip(tmp_path):
    examples = [Example("路灯坏了", "小区路灯坏了很久", "城乡建设"),
                Example("工资拖欠", "老板拖欠工资", "劳动和社会保障"),
                Example("学校收费", "学校乱收费", "教育文体")] * 3
    model = Classifier.train(examples, max_features=20)
    size = model.save(tmp_path / "m.joblib")
    loaded = Classifier.load(tmp_path / "m.joblib")
    assert size > 0
    assert loaded.version == model.version
    assert loaded.predict([("拖欠工资", "")])[0].category == "劳动和社会保障"


def test_training_needs_two_categories():
    with pytest.raises(ValueError, match="two categories"):
        Classifier.train([Example("a", "b", "x"), Example("c", "d", "x")])
