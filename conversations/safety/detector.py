"""Runs the rules on a text, fast: only the rules whose trigger words the text contains are tried.

Most texts ("8 hrs today", "yes", "can you call me") contain none, and cost a split into words and
a few dictionary look-ups. Every word is worked out once (its spelling mended, its rules looked up)
and remembered, since texts repeat their words.
"""

from dataclasses import dataclass
from functools import lru_cache

from conversations.safety.patterns import Category, Rule
from conversations.safety.text import Speller, tokens


@dataclass(frozen=True)
class SafetyFinding:
    """What kind of danger a text suggests, and the rule that saw it (never the words themselves:
    a finding may be logged, a participant's words may not)."""

    category: Category
    rule: str


class Detector:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.speller = Speller(word for found in rules for word in found.vocabulary)
        self._by_word: dict[str, list[int]] = {}
        self._by_stem_start: dict[str, list[tuple[str, int]]] = {}
        for position, found in enumerate(rules):
            if not found.triggers and not found.trigger_stems:
                raise ValueError(f"rule {found.name!r} has no trigger word: it would be tried on every text")
            for word in found.triggers:
                self._by_word.setdefault(word, []).append(position)
            for stem in found.trigger_stems:
                self._by_stem_start.setdefault(stem[:3], []).append((stem, position))
        self.read = lru_cache(maxsize=16384)(self._read)

    def _read(self, token: str) -> tuple[str, frozenset[int]]:
        """A token as the rules read it, and the rules its words can trigger."""
        spelled = self.speller.spell(token)
        triggered: set[int] = set()
        for word in spelled.split():
            triggered.update(self._by_word.get(word, ()))
            triggered.update(pos for stem, pos in self._by_stem_start.get(word[:3], ()) if word.startswith(stem))
        return spelled, frozenset(triggered)

    def detect(self, text: str) -> SafetyFinding | None:
        read = [self.read(token) for token in tokens(text)]
        candidates: set[int] = set()
        for _, triggered in read:
            candidates |= triggered
        if not candidates:
            return None
        padded = " ".join([spelled for spelled, _ in read]) + " "
        for position in sorted(candidates):
            found = self.rules[position]
            for match in found.pattern.finditer(padded):
                if not _cancelled(padded, match.start(), found.not_after):
                    return SafetyFinding(found.category, found.name)
        return None


def _cancelled(padded: str, start: int, not_after: frozenset[str]) -> bool:
    """A negation ("he never hit me", "no me pega") or an everyday subject ("el sol me pega") in
    the two words before, after any pause ("no, me pega")."""
    if not not_after:
        return False
    before = padded[:start].split()[-2:]
    for pause in (".", ","):
        if pause in before:
            before = before[len(before) - before[::-1].index(pause) :]
    return any(word in not_after for word in before)
