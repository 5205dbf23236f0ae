"""Tracking codes: 65 random bits, a check character, tolerant reading."""

from __future__ import annotations

import itertools

import pytest

from qingdan.intake import codes


def test_codes_are_long_enough_and_unique():
    sample = {codes.new_code() for _ in range(5000)}
    assert len(sample) == 5000
    assert all(len(c) == 14 and set(c) <= set(codes.ALPHABET) for c in sample)
    assert len(codes.ALPHABET) ** codes.RANDOM_LENGTH >= 2**60


def test_every_single_character_error_is_detected():
    code = codes.new_code()
    for position, wrong in itertools.product(range(len(code)), codes.ALPHABET):
        if wrong == code[position]:
            continue
        typo = code[:position] + wrong + code[position + 1:]
        with pytest.raises(codes.CodeMistyped):
            codes.normalise(typo)


def test_most_neighbour_swaps_are_detected():
    detected = total = 0
    for _ in range(300):
        code = codes.new_code()
        for i in range(len(code) - 1):
            if code[i] == code[i + 1]:
                continue
            total += 1
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            try:
                codes.normalise(swapped)
            except codes.CodeMistyped:
                detected += 1
    assert detected / total > 0.95


def test_reading_tolerates_case_dashes_spaces_and_confusable_letters():
    code = codes.new_code()
    shown = codes.display(code)
    assert shown.count("-") == 3
    assert codes.normalise(shown.lower()) == code
    assert codes.normalise(" ".join(shown)) == code
    spoken = code.replace("0", "O").replace("1", "I")
    assert codes.normalise(spoken) == code


@pytest.mark.parametrize("text", ["", "ABC", "A" * 20, "ÄÖÜ" * 5, "<script>", "12345678901234"])
def test_malformed_codes_are_refused(text):
    with pytest.raises(codes.CodeMistyped):
        codes.normalise(text)


def test_every_character_of_the_alphabet_turns_up_at_every_position():
    # One draw per code is split into characters: a wrong range or split would leave some
    # character or position out (e.g. always-0 leading characters). 3000 codes miss a given
    # (character, position) with probability (31/32)**3000, about 1e-41.
    tracking = [codes.new_code() for _ in range(3000)]
    public = [codes.new_public_id() for _ in range(3000)]
    for position in range(codes.RANDOM_LENGTH):
        assert {code[position] for code in tracking} == set(codes.ALPHABET), position
    for position in range(1, codes.PUBLIC_ID_LENGTH):
        assert {pid[position] for pid in public} == set(codes.ALPHABET), position
    assert all(codes.normalise(code) == code for code in tracking)
    assert all(len(pid) == codes.PUBLIC_ID_LENGTH and pid.startswith("R") for pid in public)
