"""What got in the way ("potholes and detours"): a short numbered menu, or the participant's own words.

The menu order is the order of the `barrier_ask` template. Free text is kept as said; its category
is read from the words a participant would use ("my car broke down" is transportation), and
anything else is OTHER, so the counselor reads the words themselves.
"""

from casefile.vocabulary import Barrier
from conversations.answers import read_choice
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
        r"child ?care|day ?care|babysit\w*|sitter|nanny|preschool|my kids?|no one to watch|"
        r"cuidado de (los )?ni\w*|guarderia|ninera|quien cuide|mis hij\w*|los ninos"
    ),
    Barrier.TRANSPORTATION: (
        r"transport\w*|car|ride|bus|train|bart|gas|license|uber|lyft|"
        r"carro|coche|raite|camion|autobus|transporte|gasolina|licencia|aventon"
    ),
    Barrier.HEALTH: (
        r"sick|ill|health|doctor|hospital|pain|surgery|pregnan\w*|covid|flu|therapy|"
        r"enferm\w*|salud|medico|dolor|cirugia|embarazada|terapia"
    ),
    Barrier.HOUSING: (
        r"housing|rent|evict\w*|homeless|apartment|landlord|moving|shelter|"
        r"vivienda|renta|desalojo|casa|apartamento|mudanza|mudando|albergue|dueno"
    ),
    Barrier.MONEY: r"money|broke|bills?|pay|afford|cash|dinero|pagar|pago|cuentas|no tengo para",
    Barrier.FAMILY: r"family|mom|mother|dad|husband|wife|partner|familia|mama|papa|esposo|esposa|pareja",
    Barrier.WORK_SCHEDULE: r"work|shift|schedule|hours at work|my job|trabajo|turno|horario|chamba",
    Barrier.OTHER: r"other|something else|otro|otra cosa|algo mas",
}
_PATTERNS = word_patterns(_WORDS)


def read_barrier(text: str) -> Barrier | None:
    """The barrier a menu number or the words name; None when the words name none."""
    number = read_choice(text, len(BARRIER_MENU))
    if number is not None:
        return BARRIER_MENU[number - 1]
    folded = fold(text)
    return first_named(_PATTERNS, folded)


def names_only_other(text: str) -> bool:
    """ "8" or "other": the participant has not said yet what got in the way."""
    return read_barrier(text) is Barrier.OTHER and len(fold(text).split()) <= 2
