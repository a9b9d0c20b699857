"""Numbers read again by the Latin model (``ocr.numbers``): digits only, never a word's shape."""
from __future__ import annotations

import pytest

from ocr.numbers import with_digits_of


@pytest.mark.parametrize("first, second, kept", [
    ("1955", "1933", "1933"),                 # the flat-topped 3 the Cyrillic models read as 5
    ("55-бет", "33-6eT", "33-бет"),           # the letters stay as first read; 6 for б does not count
    ("№55", "N233", "№33"), ("№55", "N°33", "№33"), ("№55", "Ne33", "№33"), ("№ 55", "N2 33", "№ 33"),
    ("1955-1957", "1933-1937", "1933-1937"),
    ("1955", "193", "1955"),                  # a digit fewer: another shape, left alone
    ("55", "S5", "55"),                       # a letter for a digit: left alone
    ("№135", "N213", "№135"),
    ("1-сынып", "1-CbIHbIN", "1-сынып"),       # agreeing digits change nothing
    ("ХХ", "XX", "ХХ"),
])
def test_only_digits_of_the_same_shape_are_taken(first, second, kept):
    assert with_digits_of(first, second) == kept
