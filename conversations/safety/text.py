"""A text as the safety rules read it: its words, texting spelling spelled out, typos mended.

People in crisis type fast, on a phone, often without accents or punctuation: "my bf hitted me",
"me kiero matar", "he choaked me", "im scared". The rules are written once, against plain words;
this module brings what people type to those words. Sentence punctuation is kept as a "." token,
so a rule's words never reach across two sentences ("No. He hit me" is not "no he hit me").
"""

import re
import unicodedata
from collections.abc import Iterable

#: Words people text in place of the ones the rules are written with (English and Spanish).
_TEXTING: dict[str, str] = {
    # English shorthand and contractions without their apostrophe (after "don't" became "dont").
    "u": "you",
    "ur": "your",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "hubby": "husband",
    "bd": "baby daddy",
    "babydaddy": "baby daddy",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "tryna": "trying to",
    "kms": "kill myself",
    "unalive": "kill",
    "w": "with",
    "n": "and",
    "cuz": "because",
    "bc": "because",
    "nite": "night",
    "lemme": "let me",
    "apt": "apartment",
    "ppl": "people",
    "dye": "die",
    "dissapear": "disappear",
    "dissappear": "disappear",
    "im": "i am",
    "ive": "i have",
    "ill": "i will",
    "hes": "he is",
    "shes": "she is",
    "theyre": "they are",
    "theres": "there is",
    "hed": "he would",
    "hell": "he will",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "isnt": "is not",
    "wasnt": "was not",
    "aint": "is not",
    "couldnt": "could not",
    "wouldnt": "would not",
    "dnt": "do not",
    "didn": "did not",
    "myslef": "myself",
    "myselfe": "myself",
    "odd": "od",
    "oded": "od",
    "ods": "od",
    # Spanish texting spelling.
    "q": "que",
    "k": "que",
    "ke": "que",
    "qe": "que",
    "xq": "porque",
    "pq": "porque",
    "xk": "porque",
    "porq": "porque",
    "porke": "porque",
    "x": "por",
    "d": "de",
    "kiero": "quiero",
    "kieres": "quieres",
    "kisiera": "quisiera",
    "aser": "hacer",
    "ase": "hace",
    "bn": "bien",
    "toy": "estoy",
    "pa": "para",
    "ves": "vez",
    "nomas": "no mas",
    "sta": "esta",
    "stoy": "estoy",
    "tel": "telefono",
    "cel": "celular",
    "m": "me",
    "dise": "dice",
    "disen": "dicen",
    "kito": "quito",
    "kita": "quita",
    "toas": "todas",
    "toa": "toda",
    "acer": "hacer",
    "pastiyas": "pastillas",
    "pastiya": "pastilla",
    "pastias": "pastillas",
}
_SENTENCE_END = re.compile(r"[.!?;:\n¡¿…]+")
#: "don't" is "dont", "i'm" is "im": the texting spelling, which the table above spells out.
_APOSTROPHES = str.maketrans("", "", "'’`´")
#: For a text in plain ASCII (most are): a letter, digit or comma stays, a sentence's end becomes
#: ".", anything else a space.
_ASCII = bytes(
    c if c < 128 and (chr(c).isalnum() or chr(c) == ",") else ord(".") if _SENTENCE_END.match(chr(c)) else ord(" ")
    for c in range(256)
)
_NOT_WORD = re.compile(r"[^a-z0-9., ]+")
_PAUSE = re.compile(r"([.,])")
_RUN_OF_THREE = re.compile(r"(.)\1\1+")
_DOUBLE = re.compile(r"(.)\1")

#: Real words one letter from a rule's word: they are what they say, not a typo.
_NOT_TYPOS = frozenset(
    "atacar beater choker cortes hitter kicker locker rapped shovel slipped slapper spitting booked".split()
)


class Speller:
    """Brings a word one keystroke away (a letter dropped, added, swapped or, in a long word,
    mistyped) back to the rules' vocabulary, keeping its first letter: first letters are rarely
    mistyped, and keeping them stops "lunch" from becoming "punch"."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(vocabulary)
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.vocabulary:
            if len(word) >= 5:
                for variant in _deletions(word) | {word}:
                    self._by_deletion.setdefault(variant, set()).add(word)

    def spell(self, token: str) -> str:
        """A token as the rules' words: squeezed, spelled out ("im" -> "i am"), mended."""
        if "." in token or "," in token:
            # "me." or "no,": the sentence's end and the pause are words of their own.
            return " ".join(part if part in ".," else self.spell(part) for part in _PAUSE.split(token) if part)
        if len(token) > 2:
            # "hiiiit", "killlll", "soooo": three of a letter never occur in the rules' words.
            token = _RUN_OF_THREE.sub(r"\1\1", token)
        if token in _TEXTING:
            return _TEXTING[token]
        if token not in self.vocabulary and _DOUBLE.search(token):
            single = _DOUBLE.sub(r"\1", token)
            if single in self.vocabulary:
                return single
        return self._correct(token)

    def _correct(self, token: str) -> str:
        # No rule word is longer than 20 letters: a longer token is no typo of one (and mending it
        # would cost its length squared).
        if token in self.vocabulary or token in _NOT_TYPOS or not 4 <= len(token) <= 21 or not token.isalpha():
            return token
        candidates: set[str] = set()
        for variant in _deletions(token) | {token}:
            candidates |= self._by_deletion.get(variant, set())
        near = sorted(
            (word for word in candidates if word[0] == token[0] and _one_keystroke(token, word)),
            # A letter dropped is the likeliest slip ("sexualy"), and a four-letter word is only
            # mended that way ("pils").
            key=lambda word: (-len(word), word),
        )
        if len(token) == 4:
            near = [word for word in near if len(word) == 5]
        return near[0] if near else token


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {
    key: "".join(
        other
        for other_row, line in enumerate(_ROWS)
        for other_column, other in enumerate(line)
        if abs(other_row - row) <= 1 and abs(other_column - column) <= 1 and other != key
    )
    for row, line in enumerate(_ROWS)
    for column, key in enumerate(line)
}


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_keystroke(typed: str, word: str) -> bool:
    """One letter dropped, added or two swapped; a neighbouring key hit, in a word of six or more."""
    if abs(len(typed) - len(word)) > 1:
        return False
    if len(typed) != len(word):
        shorter, longer = sorted((typed, word), key=len)
        return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
    differences = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
    if len(differences) == 2:
        first, second = differences
        return second == first + 1 and typed[first] == word[second] and typed[second] == word[first]
    if len(differences) != 1 or len(word) < 6:
        return False
    # A mistyped letter is a neighbouring key: "thteatened", not "shaving" for "shoving".
    return word[differences[0]] in _NEIGHBOURS.get(typed[differences[0]], "")


def tokens(text: str) -> list[str]:
    """Lower case, accents off, "don't" -> "dont", a sentence's end as ".", commas kept, the rest spaces."""
    if text.isascii():
        lowered = text.lower()
        if "/" in lowered:
            # "w/o", "b/c": a slash that is a word's own, not a pause.
            lowered = lowered.replace("w/o", "without").replace("b/c", "because").replace("w/", "with ")
        return lowered.encode().translate(_ASCII, b"'`").decode().split()
    bare = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    # Accents off; zero-width characters ("k\u200bill") are no letters and no spaces either.
    bare = "".join(c for c in bare if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return _NOT_WORD.sub(" ", _SENTENCE_END.sub(" . ", bare)).split()
