"""Words that suggest danger, violence or self-harm, in English and Spanish.

A match stops any script: the participant gets crisis resources once and their counselor an urgent
flag. The lists lean towards flagging: a counselor reading a false alarm costs little; a missed
disclosure can cost a life. Matching is on folded text (lower case, no accents, no punctuation).
"""

import re

from conversations.keywords import fold

_ENGLISH = [
    r"kill (my ?self|me)",
    r"suicid\w*",
    r"end (it all|my life)",
    r"(want|wanna|going) to die",
    r"(don ?t|do not) want to (live|be alive|wake up)",
    r"hurt(ing)? my ?self",
    r"self harm",
    r"cut(ting)? my ?self",
    r"overdose",
    r"(he|she|they) (hits?|beats?|hurts?|chokes?|choked|hit|beat) me",
    r"beat(s|en)? me up",
    r"abus(e|ed|es|ing|ive)",
    r"domestic violence",
    r"threaten(s|ed)? to kill",
    r"afraid for my life",
    r"(not|don ?t feel) safe (at home|with him|with her)",
    r"rap(e|ed)",
]
_SPANISH = [
    r"matarme",
    r"suicid\w*",
    r"quitarme la vida",
    r"no quiero (vivir|seguir viviendo)",
    r"hacerme dano",
    r"me (pega|golpea|golpeo|pego|maltrata|ahorca|lastima)",
    r"maltrat\w*",
    r"violencia (domestica|familiar)",
    r"abus(o|a|aron|an)",
    r"me quiere matar",
    r"amenaz\w* (con|de) matar",
    r"miedo por mi vida",
    r"no estoy (segura|seguro) en (mi )?casa",
    r"me viol\w*",
]
_DANGER = re.compile(r"\b(" + "|".join(_ENGLISH + _SPANISH) + r")\b")


def suggests_danger(text: str) -> bool:
    return bool(_DANGER.search(fold(text)))
