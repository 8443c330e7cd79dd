import pytest

from shiftmsa.features.spoken_numbers import cardinal, spoken_form
from shiftmsa.features.transcript import split_words


@pytest.mark.parametrize("word, spoken", [
    ("3", "three"), ("3d", "three d"), ("1990s", "nineteen nineties"), ("80s", "eighties"),
    ("25%", "twenty five percent"), ("2nd", "second"), ("21st", "twenty first"), ("12th", "twelfth"),
    ("40th", "fortieth"), ("3.5", "three point five"), ("1,000", "one thousand"), ("2010", "twenty ten"),
    ("1905", "nineteen oh five"), ("1900", "nineteen hundred"), ("2005", "two thousand five"),
    ("100", "one hundred"), ("0", "zero"), ("mp3", "mp three"), ("movie", "movie"), ("didn't", "didn't"),
])
def test_numbers_are_spelled_out_as_spoken(word, spoken):
    assert spoken_form(word) == tuple(spoken.split())


def test_cardinal_reads_large_numbers_by_scale():
    assert cardinal(3_000_215) == "three million two hundred fifteen".split()
    assert cardinal(70) == ["seventy"] and cardinal(13) == ["thirteen"]


def test_split_words_keeps_numbers_whole_for_spelling_out():
    assert split_words("In 3D, 25% of 1,000 fans gave it 3.5 stars in the 1990s.") == (
        "in", "3d", "25%", "of", "1,000", "fans", "gave", "it", "3.5", "stars", "in", "the", "1990s")
    assert split_words("1,2,3 go") == ("1", "2", "3", "go")
