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


def test_each_view_learns_from_the_records_that_have_its_part():
    examples = [Example("路灯坏了", "", "城乡建设"), Example("工资拖欠", "", "劳动和社会保障"),
                Example("", "小区路灯坏了很久没人修", "城乡建设"),
                Example("", "老板拖欠工资三个月", "劳动和社会保障")] * 2
    model = Classifier.train(examples, max_features=0)
    views = {v.name: v for v in model.views}
    assert set(views) == {"whole", "subject"}
    subject_grams = set(views["subject"].feature_names())
    assert "路灯" in subject_grams and "老板" not in subject_grams  # bodies never reach the subject view
    assert "老板" in set(views["whole"].feature_names())


def test_a_message_without_subject_is_read_by_the_whole_view_alone(model):
    whole_only = Classifier(views=[v for v in model.views if v.name == "whole"], classes=model.classes)
    body = "孩子所在的小学要求家长缴纳补课费和资料费，请教育局查处。"
    both = model.predict([("", body)])[0]
    alone = whole_only.predict([("", body)])[0]
    assert both == alone  # the subject view sits out instead of voting for nothing


def test_the_subject_view_changes_the_answer_when_the_subject_is_clear(model):
    subject_view = next(v for v in model.views if v.name == "subject")
    assert subject_view.weight > 0
    probs, has, _ = model.probabilities([("学校乱收费", "请有关部门查一查。"), ("", "请有关部门查一查。")])
    assert has.all()
    teach = model.classes.index("教育文体")
    assert probs[0, teach] > probs[1, teach]


def test_a_model_of_the_older_format_is_refused_with_a_clear_error(tmp_path):
    import joblib

    joblib.dump({"vectorizer": None, "coef": None, "intercept": None, "classes": [], "version": "x"},
                tmp_path / "old.joblib")
    with pytest.raises(ValueError, match="retrain"):
        Classifier.load(tmp_path / "old.joblib")


def test_the_fast_transform_equals_scikit_learns(model):
    texts = ["公司拖欠工资三个月", "", "A3区wifi信号差", "噪", "學校亂收費！！", "😀", "0路公交车0元"]
    for view in model.views:
        fast = view.transform(texts).toarray()
        slow = view.vectorizer.transform(texts).toarray()
        assert fast.shape == slow.shape
        assert abs(fast - slow).max() < 1e-5


def test_a_view_with_nothing_seen_twice_sits_out_of_training():
    examples = [Example("甲乙丙", "路灯坏了没人修", "城乡建设"), Example("丁戊己", "路灯坏了没人修", "城乡建设"),
                Example("庚辛壬", "老板拖欠工资", "劳动和社会保障"),
                Example("癸子丑", "老板拖欠工资", "劳动和社会保障")]
    model = Classifier.train(examples)
    assert [v.name for v in model.views] == ["whole"]  # every subject n-gram occurs once
    assert model.predict([("寅卯辰", "老板拖欠工资")])[0].category == "劳动和社会保障"


def test_training_on_texts_that_share_no_ngram_is_refused_clearly():
    with pytest.raises(ValueError, match="at least two examples"):
        Classifier.train([Example("甲", "", "城乡建设"), Example("乙", "", "劳动和社会保障")])
