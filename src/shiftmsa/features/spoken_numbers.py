"""Numbers in a transcript word -> the words a speaker says for them, so that they can be aligned.

``spoken_form("3")`` is ``("three",)``, ``"3d"`` -> ``("three", "d")``, ``"1990s"`` ->
``("nineteen", "nineties")``, ``"25%"`` -> ``("twenty", "five", "percent")``, ``"2nd"`` ->
``("second",)``, ``"3.5"`` -> ``("three", "point", "five")``, ``"1,000"`` -> ``("one", "thousand")``.
Four-digit integers from 1100 to 1999 and from 2010 to 2099 are read as years ("nineteen
ninety", "twenty eleven"), as a speaker reading a review most likely says them; other integers
are read as cardinals up to the billions. A word without digits is returned unchanged.
"""

from __future__ import annotations

import re

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))
ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}
ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")
_PIECES = re.compile(r"\d[\d,]*(?:\.\d+)?|[^\d%]+|%")


def cardinal(number: int) -> list[str]:
    """``number`` (0 <= number < 10**12) in words: 1203 -> one thousand two hundred three."""
    if number < 20:
        return [ONES[number]]
    if number < 100:
        return [TENS[number // 10]] + ([ONES[number % 10]] if number % 10 else [])
    if number < 1000:
        return [ONES[number // 100], "hundred"] + (cardinal(number % 100) if number % 100 else [])
    for scale, name in SCALES:
        if number >= scale:
            return cardinal(number // scale) + [name] + (cardinal(number % scale) if number % scale else [])
    raise ValueError(f"{number} is too large to spell out")


def year(number: int) -> list[str]:
    """A year as it is said: 1990 -> nineteen ninety, 1905 -> nineteen oh five, 1900 -> nineteen hundred."""
    century, rest = divmod(number, 100)
    if rest == 0:
        return cardinal(century) + ["hundred"]
    return cardinal(century) + (["oh"] if rest < 10 else []) + cardinal(rest)


def integer_words(digits: str) -> list[str]:
    """An integer written in digits (thousands commas allowed), in words; years read as years."""
    number = int(digits.replace(",", ""))
    if len(digits) == 4 and (1100 <= number <= 1999 or 2010 <= number <= 2099):
        return year(number)
    return cardinal(number)


def plural(words: list[str]) -> list[str]:
    """The last word made plural, as in "the nineties" or "the eighteen hundreds"."""
    last = words[-1]
    return words[:-1] + [last[:-1] + "ies" if last.endswith("y") else last + ("es" if last.endswith("x") else "s")]


def ordinal(words: list[str]) -> list[str]:
    """The last word made ordinal: twenty one -> twenty first, forty -> fortieth."""
    last = words[-1]
    if last in ORDINALS:
        last = ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return words[:-1] + [last]


def number_words(text: str) -> list[str]:
    """A run of digits (with thousands commas and a decimal part) in words."""
    whole, _, fraction = text.partition(".")
    words = integer_words(whole.strip(",")) if whole.strip(",") else ["zero"]
    return words + (["point"] + [ONES[int(d)] for d in fraction] if fraction else [])


def spoken_form(word: str) -> tuple[str, ...]:
    """The words said for a transcript word: digits spelled out (see the module docstring).

    Args:
        word: one word of ``split_words`` (lower case; digits, letters, apostrophes, "." "," "%").
    """
    if not any(character.isdigit() for character in word):
        return (word,)
    spoken: list[str] = []
    for piece in _PIECES.findall(word):
        if piece[0].isdigit():
            spoken += number_words(piece)
        elif piece == "%":
            spoken.append("percent")
        elif spoken and piece == "s":
            spoken = plural(spoken)
        elif spoken and piece in ORDINAL_SUFFIXES:
            spoken = ordinal(spoken)
        else:
            spoken += [letters for letters in re.split(r"[^a-z']+", piece) if letters]
    return tuple(spoken) or (word,)
