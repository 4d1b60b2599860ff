"""Numbers written in words, English and Spanish, turned into digits: one reader for hours, dates and
answers ("twenty five hours" → "25 hours", "veinticinco" → "25", "hora y media" → "1.5 hora",
"april second" → "april 2nd", "dos de abril" → "2 de abril").

Works on `keywords.fold`ed text (lower case, no accents, words split by single spaces). Pure and fast:
one pass over the words with dictionaries, no regular expression per number. Common misspellings of
voice-to-text and quick typing ("fourty", "vente", "sinco") are in the tables, as people write them.
"""

import re

_UNITS = {
    **dict.fromkeys(["zero", "cero"], 0),
    **dict.fromkeys(["one", "uno"], 1),
    **dict.fromkeys(["two", "dos"], 2),
    **dict.fromkeys(["three", "tres"], 3),
    **dict.fromkeys(["four", "cuatro"], 4),
    **dict.fromkeys(["five", "cinco", "sinco"], 5),
    **dict.fromkeys(["six", "seis"], 6),
    **dict.fromkeys(["seven", "siete"], 7),
    **dict.fromkeys(["eight", "ocho"], 8),
    **dict.fromkeys(["nine", "nueve"], 9),
}
_TEENS = {
    **dict.fromkeys(["ten", "diez"], 10),
    **dict.fromkeys(["eleven", "once"], 11),
    **dict.fromkeys(["twelve", "doce", "dose"], 12),
    **dict.fromkeys(["thirteen", "trece", "trese"], 13),
    **dict.fromkeys(["fourteen", "catorce", "catorse"], 14),
    **dict.fromkeys(["fifteen", "quince", "quinse"], 15),
    **dict.fromkeys(["sixteen", "dieciseis", "diesiseis"], 16),
    **dict.fromkeys(["seventeen", "diecisiete", "diesisiete"], 17),
    **dict.fromkeys(["eighteen", "dieciocho", "diesiocho"], 18),
    **dict.fromkeys(["nineteen", "diecinueve", "diesinueve"], 19),
}
_TENS = {
    **dict.fromkeys(["twenty", "tweny", "twenny", "veinte", "vente", "beinte"], 20),
    **dict.fromkeys(["thirty", "treinta", "trenta"], 30),
    **dict.fromkeys(["forty", "fourty", "cuarenta"], 40),
    **dict.fromkeys(["fifty", "cincuenta"], 50),
    **dict.fromkeys(["sixty", "sesenta"], 60),
    **dict.fromkeys(["seventy", "setenta"], 70),
    **dict.fromkeys(["eighty", "ochenta"], 80),
    **dict.fromkeys(["ninety", "ninty", "noventa"], 90),
}
#: Spanish writes 21–29 as one word ("veinticinco"); people also write "veinte y cinco".
_ONE_WORD = {
    **{f"veinti{name}": 20 + value for name, value in _UNITS.items() if value and name.isascii()},
    "veintiun": 21,
    "veintiuno": 21,
    "veintidos": 22,
    "veintitres": 23,
    "veintiseis": 26,
    "beinticinco": 25,
    "ventiuno": 21,
    "venticinco": 25,
    "cien": 100,
    "hundred": 100,
    "dozen": 12,
    "docena": 12,
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "primero": 1,
    "primer": 1,
    "primera": 1,
    "segundo": 2,
    "segunda": 2,
    "tercer": 3,
    "tercero": 3,
    "tercera": 3,
    "quinto": 5,
}
_SPANISH_AND = "y"
_ENGLISH_AND = "and"


def digits(folded: str) -> str:
    """The text with every number in words written in digits, ordinals as "2nd", halves added."""
    words = folded.split()
    out: list[str] = []
    index = 0
    while index < len(words):
        value, used, ordinal = _number_at(words, index)
        if used:
            out.append(f"{value}{_suffix(value)}" if ordinal else str(value))
            index += used
        else:
            out.append(words[index])
            index += 1
    return _halves(" ".join(out))


def _number_at(words: list[str], index: int) -> tuple[int, int, bool]:
    """The number in words starting at `index`: (value, words used, is an ordinal); (0, 0, False) if none."""
    word = words[index]
    if word in _ORDINALS:
        # "primer"/"first" alone are ordinals; "twenty first" is handled below.
        return _ORDINALS[word], 1, True
    if word in _ONE_WORD:
        return _ONE_WORD[word], 1, False
    if word in _UNITS:
        return _UNITS[word], 1, False
    if word in _TEENS:
        return _TEENS[word], 1, False
    if word not in _TENS:
        return 0, 0, False
    tens = _TENS[word]
    following = words[index + 1 : index + 3]
    # "twenty five", "twenty first", "treinta y dos", "veinte y cinco".
    if following and following[0] in _UNITS and _UNITS[following[0]]:
        return tens + _UNITS[following[0]], 2, False
    if following and following[0] in _ORDINALS and _ORDINALS[following[0]] < 10:
        return tens + _ORDINALS[following[0]], 2, True
    if len(following) == 2 and following[0] == _SPANISH_AND and following[1] in _UNITS and _UNITS[following[1]]:
        return tens + _UNITS[following[1]], 3, False
    return tens, 1, False


def _suffix(value: int) -> str:
    if 10 <= value % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")


_HOUR = r"(?:hours?|hrs?|horas?)"
_FRACTIONS = [
    # "4 hours and a half", "4 horas y media": 4.5 hours.
    (re.compile(rf"\b(\d+)\s*({_HOUR})\s+(?:and a half|and half|y media)\b"), r"\1.5 \2"),
    # "an hour and a half", "una hora y media", "hour n half": 1.5 hours.
    (re.compile(rf"\b(?:(?:an?|1|una|la)\s+)?({_HOUR})\s+(?:and a half|and half|n half|y media)\b"), r"1.5 \1"),
    # "4 and a half", "4 y media", "4 1/2", "4 n half".
    (re.compile(r"\b(\d+)\s+(?:and a half|and half|n half|y media|1/2)\b"), r"\1.5"),
    (re.compile(r"\b(\d+)\s+(?:and a quarter|y cuarto)\b"), r"\1.25"),
    (re.compile(r"\b(\d+)\s+(?:and three quarters|y tres cuartos)\b"), r"\1.75"),
    # "half an hour", "half hour", "media hora".
    (re.compile(r"\b(?:a\s+)?half (?:an )?(hour|hr)\b|\bmedia (hora)\b"), r"0.5 \1\2"),
    # "an hour", "una hora", "1 hora": one hour (a bare "a" or "una" is no number elsewhere).
    (re.compile(rf"\b(?:an|a|one|una|un)\s+({_HOUR})\b"), r"1 \1"),
]


#: Without one of these, no fraction above can match: most texts skip them all.
_FRACTION_HINT = re.compile(r"half|media|1/2|quarter|cuarto|\b(?:an?|one|una|un) (?:hour|hr|hora)")


def _halves(text: str) -> str:
    if not _FRACTION_HINT.search(text):
        return text
    for pattern, replacement in _FRACTIONS:
        if pattern.search(text):
            text = pattern.sub(replacement, text)
    return text


#: A digit, the start of a number word, or a word for hours: a text without one holds no hours to read
#: (a cheap first test; an accented "dieciséis" is still caught by its "horas").
MAY_BE_A_NUMBER = re.compile(
    r"\d|\b(?:"
    + "|".join(
        sorted({*_UNITS, *_TEENS, *_TENS, *_ONE_WORD, "veint", "vent", "beint", "half", "media"}, key=len, reverse=True)
    )
    + r")|hour|hr|hora|oras"
)
