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
