"""Does a text suggest that someone is in danger: violence, threats, fear, stalking and control,
sexual violence, child abuse, suicidal thoughts, self-harm or an overdose? English and Spanish.

A finding stops any script: the participant gets crisis resources and the counselor an urgent flag.
The rules lean towards flagging (a counselor reading a false alarm costs little; a missed disclosure
can cost a life) but keep everyday idioms out: "this job search is killing me", "I hit my hours",
"me muero de hambre", "tengo miedo de no pasar el examen". Each rule is built from parts (who, act,
target; feeling and its object: `patterns.py`, `lexicon.py`, the rules in `violence_en.py` and its
siblings) over the text's words, texting spelling spelled out and typos mended (`text.py`). Pure
and fast (`detector.py`): it runs on every inbound message.
"""

from functools import lru_cache

from conversations.safety.control_en import CONTROL_EN
from conversations.safety.control_es import CONTROL_ES
from conversations.safety.detector import Detector, SafetyFinding
from conversations.safety.patterns import Category
from conversations.safety.self_harm_en import SELF_HARM_EN
from conversations.safety.self_harm_es import SELF_HARM_ES
from conversations.safety.threats_en import THREATS_EN
from conversations.safety.threats_es import THREATS_ES
from conversations.safety.violence_en import VIOLENCE_EN
from conversations.safety.violence_es import VIOLENCE_ES

__all__ = ["Category", "SafetyFinding", "clear_caches", "detect", "suggests_danger"]

#: Suicide and self-harm first: when a text names several dangers, the one that needs the fastest
#: answer names the finding.
_ORDER = (
    Category.SUICIDAL,
    Category.OVERDOSE,
    Category.SELF_HARM,
    Category.SEXUAL_VIOLENCE,
    Category.CHILD_ABUSE,
    Category.VIOLENCE,
    Category.THREAT,
    Category.STALKING,
    Category.FEAR,
)
_DETECTOR = Detector(
    sorted(
        SELF_HARM_EN + SELF_HARM_ES + VIOLENCE_EN + VIOLENCE_ES + THREATS_EN + THREATS_ES + CONTROL_EN + CONTROL_ES,
        key=lambda found: _ORDER.index(found.category),
    )
)


# The engine asks about the same text more than once while it answers it: the last few are kept.
@lru_cache(maxsize=64)
def detect(text: str) -> SafetyFinding | None:
    """The most urgent danger the text suggests, or None."""
    return _DETECTOR.detect(text)


def suggests_danger(text: str) -> bool:
    return detect(text) is not None


def clear_caches() -> None:
    """Forgets every text and word worked out so far (to measure the cost of words never seen)."""
    detect.cache_clear()
    _DETECTOR.read.cache_clear()
