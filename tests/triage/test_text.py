from qingdan.triage.text import MAX_CHARS, has_content, message_text, normalise


def test_traditional_is_converted_and_white_space_removed():
    assert normalise("這個社區的 噪音\t問題\n很嚴重") == "这个社区的噪音问题很严重"


def test_full_width_letters_fold_like_the_training_data():
    assert normalise("Ａ市Ａ１区") == "A市A1区"


def test_long_text_is_cut():
    assert len(normalise("噪" * 100_000)) == MAX_CHARS


def test_only_punctuation_or_emoji_has_no_content():
    assert not has_content("！！！？？😀😀🙏")
    assert not has_content("")
    assert has_content("a")
    assert has_content("路")


def test_message_text_joins_subject_and_body():
    assert message_text("噪音", "很吵") == "噪音。很吵"
    assert message_text("", "很吵") == "很吵"
    assert message_text("噪音", "") == "噪音"
