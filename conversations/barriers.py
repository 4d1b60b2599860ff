"""What got in the way ("potholes and detours"): a short numbered menu, or the participant's own words.

The menu order is the order of the `barrier_ask` template. Free text is kept as said; its category
is read from the words a participant would use ("my car broke down" is transportation), and
anything else is OTHER, so the counselor reads the words themselves.
"""

import re

from casefile.vocabulary import Barrier
from conversations.answers import CheckIn, read_check_in, read_choice
from conversations.keywords import first_named, fold, word_patterns

#: The barrier menu, by number: the barrier_ask template lists them in this order.
BARRIER_MENU: tuple[Barrier, ...] = (
    Barrier.CHILDCARE,
    Barrier.TRANSPORTATION,
    Barrier.HEALTH,
    Barrier.HOUSING,
    Barrier.MONEY,
    Barrier.FAMILY,
    Barrier.WORK_SCHEDULE,
    Barrier.OTHER,
)

_WORDS: dict[Barrier, str] = {
    Barrier.CHILDCARE: (
        r"child ?care|day ?care|babysit\w*|sitter|nanny|preschool|my kids?|no one to watch|nobody to watch|"
        r"watch (?:my|the) (?:kids?|baby|son|daughter)|my (?:son|daughter|baby|little one|toddler)|kids? (?:was |were |is )?sick|"
        r"head start|kids school|out of school|no school|school was closed|stay home with (?:her|him|them|the kids)|"
        r"(?:the |my )?(?:baby|kids?|son|daughter|child|children) (?:was|were|is|got) sick|no tuvieron escuela|"
        r"cuidado de (?:los )?ni\w*|guarderia|ninera|quien (?:me )?(?:cuide|los cuide|las cuide|lo cuide)|"
        r"mis hij\w*|mi hij[oa]|los ninos|mi nin[oa]|mis ninos|mi bebe|el kinder|la escuelita"
    ),
    Barrier.TRANSPORTATION: (
        r"transport\w*|car|ride|bus|train|bart|gas|license|uber|lyft|tire|battery|broke down|bus pass|clipper|"
        r"missed the bus|no way to get|couldn t get there|carro|coche|raite|ride|camion|autobus|transporte|gasolina|"
        r"licencia|aventon|quien me lleve|como llegar|se descompuso|llanta|pasaje|troca|no tengo en que"
    ),
    Barrier.HEALTH: (
        r"sick|ill|health|doctor|hospital|pain|surgery|pregnan\w*|covid|flu|therapy|depress\w*|anxiety|anxious|"
        r"feeling (?:really )?(?:down|bad|low)|mental|panic|stress\w*|migraine|headache|injur\w*|hurts?|fever|dentist|"
        r"not feeling well|under the weather|enferm\w*|salud|medico|dolor|cirugia|embarazada|terapia|deprimid\w*|"
        r"triste|ansiedad|estres\w*|gripa|gripe|calentura|fiebre|me lastime|no me siento bien|me siento mal|doctora"
    ),
    Barrier.HOUSING: (
        r"housing|rent|evict\w*|homeless|apartment|landlord|moving|moved|move|shelter|kicked out|couch surfing|motel|"
        r"no place to (?:stay|live)|place to stay|vivienda|renta|desalojo|casa|apartamento|mudanza|mudando|mudar\w*|"
        r"albergue|dueno|nos corrieron|me corrieron de|no tengo donde"
    ),
    Barrier.MONEY: (
        r"money|broke|bills?|pay|afford|cash|phone (?:was |got )?(?:cut|off|shut off)|no minutes|dinero|pagar|pago|cuentas|"
        r"no tengo para|no me alcanza|no alcanza|sin dinero|saldo|feria"
    ),
    Barrier.FAMILY: (
        r"family|mom|mother|dad|husband|wife|partner|funeral|passed away|grandma|my ex|boyfriend|"
        r"familia|mama|papa|esposo|esposa|pareja|funeral|fallecio|murio|mi ex|mi abuela|mi suegra|mi hermana|mi hermano"
    ),
    Barrier.WORK_SCHEDULE: (
        r"work|shift|schedule|hours at work|my job|cut my hours|hours (?:got |were )?cut|overtime|"
        r"extra hours|more hours|trabajo|trabajar mas|turno|horario|chamba|me cortaron las horas|me cambiaron|doble"
    ),
    Barrier.OTHER: r"other|something else|otro|otra cosa|algo mas",
}
_PATTERNS = word_patterns(_WORDS)


def read_barrier(text: str) -> Barrier | None:
    """The barrier a menu number or the words name; None when the words name none."""
    number = read_choice(text, len(BARRIER_MENU))
    if number is not None:
        return BARRIER_MENU[number - 1]
    return _category(fold(text))


def _category(folded: str) -> Barrier | None:
    named = first_named(_PATTERNS, folded)
    if named is Barrier.HEALTH and _RELATIVE.search(folded):
        # "my mom was in the hospital": a family member's health is a family matter for the participant.
        return Barrier.FAMILY
    return named


_RELATIVE = re.compile(
    r"\b(?:my|mi) (?:mom|mother|dad|father|husband|wife|partner|grandma|grandpa|sister|brother|aunt|"
    r"mama|papa|esposo|esposa|pareja|abuel[oa]|herman[oa]|tia|tio|suegr[oa])\b"
)


def names_only_other(text: str) -> bool:
    """ "8" or "other": the participant has not said yet what got in the way."""
    return read_barrier(text) is Barrier.OTHER and len(fold(text).split()) <= 2


#: Words it takes to tell what got in the way, rather than to pick a number or a yes.
_SAYS_WHAT_HAPPENED = 3
#: A reason given: "no cuz my kid was sick", "not yet my mom was in the hospital", "porque no tengo
#: raite". A plain "not yet, I'll do it after work" says when, not what got in the way.
_REASON = re.compile(
    r"^no\b(?! (?:yet|todavia|aun)\b)|\b(?:cuz|cause|because|bc|since|porque|pq|por que|x que|ya que|due to|"
    r"was|were|got|had|been|fell|broke|closed|estaba|estuve|estuvo|tuve|tuvo|no tengo|no tuve|no hay)\b"
)


def read_step_answer(text: str) -> tuple[CheckIn | None, Barrier | None]:
    """How a step went, and what got in the way when the answer says it ("my car broke down", "no cuz
    my kid was sick"): both are taken. A barrier is read only from a sentence, never from a menu number."""
    answer = read_check_in(text)
    if answer is CheckIn.DONE:
        return answer, None
    folded = fold(text)
    gives_a_reason = answer is not CheckIn.NOT_YET or _REASON.search(folded) is not None
    barrier = _category(folded) if len(folded.split()) >= _SAYS_WHAT_HAPPENED else None
    return answer, barrier if gives_a_reason and barrier is not Barrier.OTHER else None
