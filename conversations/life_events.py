"""Life events in a participant's text, English or Spanish: news a counselor must act on whatever
flow the text arrived in (DOMAIN.md, "What a counselor must hear about"; seed 000: the WTW 2 plan
is amended when employment changes; seed 001 #13a: job start notification).

Pure: text in, event kinds out, no I/O. The engine records each as a fact for the counselor's
queue when the text arrives; the notes drafter reads the texts again to write the event's note. Patterns are matched on lowercased text with accents removed, so "médica",
"medica" and "MEDICA" read alike. Measured on tests/corpora/life_events.tsv (tests/test_notes_life_events.py).
"""

import re
import unicodedata
from dataclasses import dataclass

#: Every kind, in the order a note lists them; the English words are how a note names each.
EVENT_NAMES = {
    "job_started": "job started",
    "job_lost": "job lost or ended",
    "work_hours_changed": "work hours changed",
    "income_changed": "income changed",
    "moved": "new address or phone",
    "appointment_change": "appointment cannot be kept or must be rescheduled",
    "pregnancy_or_child": "pregnancy or new child",
    "health": "health problem",
    "court_date": "court date",
    "supportive_services": "supportive services requested",
}
#: What the counselor is to do about each, as a note's next step says it.
NEXT_STEPS = {
    "job_started": "confirm the employer, start date, hours and pay, and amend the WTW 2 plan",
    "job_lost": "ask what happened and when, and review the plan's activities",
    "work_hours_changed": "confirm the new work hours and review the plan's hours",
    "income_changed": "confirm the change in income and report it to eligibility",
    "moved": "confirm the new address or phone number and update the case",
    "appointment_change": "reschedule the appointment and decide whether there is good cause",
    "pregnancy_or_child": "ask about the pregnancy or new child and any exemption or change to the plan",
    "health": "ask about the health problem and any need for an exemption, referral or change to the plan",
    "court_date": "note the court date and decide whether the plan's hours need adjusting that day",
    "supportive_services": "respond to the request for supportive services",
}

_PATTERNS: dict[str, tuple[str, ...]] = {
    "job_started": (
        r"\b(?:got|found|landed|start(?:ed|ing)?|begin|began|new)\b[^.?!]{0,30}\b(?:job|work|position|employment)\b",
        r"\b(?:got|was) (?:hired|the job)\b",
        r"\bhired (?:at|by|on)\b",
        r"\b(?:i'?m|i am|am) (?:now )?working\b",
        r"\bworking (?:full|part)[ -]time\b",
        r"\bmy first (?:day|shift)\b",
        r"\b(?:start|begin) (?:work|training) (?:on|at|this|next|monday|tuesday|wednesday|thursday|friday)\b",
        r"\b(?:consegui|encontre|empece|empiezo|comence|comienzo|inicio)\b[^.?!]{0,25}\b(?:trabajo|empleo|chamba|jale)\b",
        r"\btengo (?:un )?(?:nuevo )?(?:trabajo|empleo)\b",
        r"\bnuevo (?:trabajo|empleo)\b",
        r"\b(?:me contrataron|me dieron el trabajo|ya estoy trabajando|ahora trabajo|estoy trabajando)\b",
        r"\bempiezo a trabajar\b",
        r"\btrabajando (?:tiempo completo|medio tiempo)\b",
    ),
    "job_lost": (
        r"\b(?:lost|quit|left) (?:my|the|that) (?:job|work|position)\b",
        r"\b(?:got|been|was|were) (?:fired|laid off|let go|terminated)\b",
        r"\b(?:fired|laid) (?:me|us)\b",
        r"\blet me go\b",
        r"\b(?:no longer|not) (?:working|employed) (?:at|there|for)\b",
        r"\b(?:perdi|deje) (?:mi|el) (?:trabajo|empleo)\b",
        r"\bme (?:corrieron|despidieron|quitaron el trabajo)\b",
        r"\bya no (?:trabajo|tengo trabajo|estoy trabajando)\b",
        r"\bme quede sin (?:trabajo|empleo|chamba)\b",
    ),
    "work_hours_changed": (
        r"\b(?:cut|reduced|changed|cutting|lowered|raised|increased|more|less|fewer|extra) (?:my )?(?:work )?(?:hours|shifts)\b",
        r"\b(?:hours|shifts?|schedule) (?:got |were |was |are )?(?:cut|reduced|changed)\b",
        r"\b(?:new|different) (?:work )?schedule\b",
        r"\b(?:me )?(?:bajaron|redujeron|cambiaron|quitaron|subieron|aumentaron)(?: las| mis| el| los)? (?:horas|turnos|horario)\b",
        r"\b(?:menos|mas) horas (?:en el|de) trabajo\b",
        r"\bnuevo horario\b",
    ),
    "income_changed": (
        r"\b(?:got a )?(?:raise|pay cut|pay raise)\b",
        r"\b(?:my |our )?(?:income|pay|paycheck|wages?|salary) (?:went|is|was|got|changed|dropped|increased)\b",
        r"\b(?:child support|unemployment|ssi|disability) (?:stopped|started|ended|check)\b",
        r"\b(?:me )?(?:subieron|bajaron) (?:el )?(?:sueldo|pago|salario)\b",
        r"\b(?:mi )?(?:sueldo|salario|ingreso|cheque) (?:cambio|bajo|subio)\b",
        r"\bmanutencion\b",
    ),
    "moved": (
        r"\b(?:i|we) (?:just )?(?:moved|am moving|are moving|have to move|got evicted)\b",
        r"\bnew (?:address|phone|number|apartment|place)\b",
        r"\b(?:changed|change) (?:my )?(?:address|phone|number)\b",
        r"\b(?:me|nos) (?:mude|mudamos|cambie de casa|voy a mudar|vamos a mudar|desalojaron|corrieron de la casa)\b",
        r"\bnueva direccion\b|\bnuevo (?:numero|telefono)\b|\bcambie (?:de )?(?:numero|telefono|direccion)\b",
        r"\bmi (?:nueva casa|nuevo departamento)\b",
    ),
    "appointment_change": (
        r"\b(?:can'?t|cannot|can not|won'?t be able to|couldn'?t|unable to) (?:make it to|make|go to|come to|attend|be at|come|go)\b[^.?!]{0,40}\b(?:appointment|appt|meeting|orientation|class|interview|workshop)\b",
        r"\b(?:reschedule|move|change) (?:my |the |our )?(?:appointment|appt|meeting|orientation|interview)\b",
        r"\b(?:miss|missed|missing) (?:my |the |our )?(?:appointment|appt|meeting|orientation)\b",
        r"\b(?:appointment|appt|meeting) (?:on|this|next|for)\b[^.?!]{0,30}\b(?:can'?t|cannot|won'?t|reschedule)\b",
        r"\bno (?:puedo|podre|voy a poder|pude) (?:ir|llegar|asistir|venir)\b[^.?!]{0,40}\b(?:cita|reunion|orientacion|clase|entrevista|taller)\b",
        r"\b(?:cambiar|reprogramar|mover|cambiarla|reprogramarla|moverla)\b[^.?!]{0,25}\b(?:cita|reunion|orientacion)\b",
        r"\b(?:cita|reunion|orientacion)\b[^.?!]{0,60}\b(?:cambiarla|cambiar|reprogramar|moverla|no puedo)\b",
        r"\b(?:perdi|falte a) (?:mi |la )?(?:cita|reunion|orientacion)\b",
    ),
    "pregnancy_or_child": (
        r"\b(?:i'?m|i am|am|she'?s|we'?re) pregnant\b",
        r"\bpregnan(?:t|cy)\b",
        r"\b(?:had|having|have) (?:a|the|my|our) (?:baby|newborn)\b",
        r"\b(?:baby|bebe) (?:was born|is due|due|nacio|nace)\b",
        r"\bdue date\b",
        r"\b(?:estoy|esta|quede) embarazada\b|\bembarazo\b",
        r"\btuve (?:a )?(?:mi|el|un|una) (?:bebe|nino|nina|hijo|hija)\b",
        r"\b(?:nacio|va a nacer) (?:mi|el) (?:bebe|nino|nina|hijo|hija)\b",
    ),
    "health": (
        r"\b(?:i'?m|i am|i was|i've been|i have been|i got|been) (?:sick|ill|in the hospital|hospitalized|hurt|injured)\b",
        r"\b(?:surgery|(?:in|to) the hospital|hospitalized|emergency room|the er|urgent care|broke my|broken (?:arm|leg|foot|wrist)|covid|the flu)\b",
        r"\b(?:doctor|dr\.?|medical) (?:appointment|appt|note|visit)\b",
        r"\b(?:my )?(?:back|knee|leg|arm) (?:injury|hurts|is hurt)\b",
        r"\b(?:estoy|estuve|me puse|he estado) (?:enferm[oa]|internad[oa]|en el hospital|hospitalizad[oa])\b",
        r"\b(?:cita medica|operacion|cirugia|(?:en el|al) hospital|emergencias|me lastime|me quebre|me fracture|covid|gripa|gripe)\b",
        r"\b(?:mi|el|la) (?:hijo|hija|nino|nina|bebe) (?:esta|estuvo) (?:enferm[oa]|en el hospital)\b",
        r"\b(?:my )?(?:son|daughter|kid|child|baby) (?:is|was|got) (?:sick|in the hospital)\b",
    ),
    "court_date": (
        r"\bcourt\b",
        r"\b(?:hearing|judge|custody hearing)\b",
        r"\b(?:corte|tribunal|juzgado|audiencia|juez|jueza)\b",
    ),
    "supportive_services": (
        r"\b(?:gas|bus|transit) (?:money|card|pass|voucher|ticket)(?:e?s)?\b",
        r"\b(?:help|pay|money|assistance) (?:with|for) (?:gas|the bus|bus|transportation|uniform|uniforms|tools|boots|child ?care|daycare|books|car repair)\b",
        r"\b(?:need|needs|get|buy)\b[^.?!]{0,20}\b(?:uniform|uniforms|work boots|steel toe|tools|scrubs)\b",
        r"\b(?:child ?care|daycare) (?:help|assistance|payment|voucher|provider)\b",
        r"\bsupportive services\b",
        r"\b(?:dinero|ayuda|apoyo|pago) (?:para|con) (?:la |el |los |las )?(?:gasolina|pasaje|camion|bus|transporte|uniforme|herramientas|guarderia|cuido|botas|libros)\b",
        r"\b(?:pase|tarjeta|boleto) (?:de|del|para el) (?:autobus|bus|camion|transporte)\b",
        r"\bnecesito\b[^.?!]{0,25}\b(?:uniforme|herramientas|botas|gasolina|pasaje|guarderia)\b",
        r"\bservicios de apoyo\b",
    ),
}
#: One search per kind: the alternatives of a kind in one pattern.
_COMPILED = {kind: re.compile("|".join(f"(?:{p})" for p in patterns)) for kind, patterns in _PATTERNS.items()}
#: Words that turn a pattern's match into something else: "no court", "not pregnant", a job *search*.
_NEGATED = {
    "court_date": re.compile(r"\b(?:food court|basketball court|court yard|courtyard)\b"),
    "pregnancy_or_child": re.compile(r"\b(?:not|no) (?:pregnant)\b|\bno estoy embarazada\b"),
    "job_started": re.compile(
        r"\b(?:looking for|search(?:ing)? for|apply(?:ing)? for|applied (?:for|to)|need|want|hope to get|trying to get|busco|buscando|necesito|aplique|quiero)\b[^.?!]{0,15}\b(?:a |un |una |the )?(?:new )?(?:job|work|trabajo|empleo)\b"
        r"|\bjob (?:search|club|fair|interview|training)\b|\bno (?:consegui|encontre|tengo) (?:trabajo|empleo)\b|\bnuevo trabajo\?"
    ),
}


@dataclass(frozen=True)
class LifeEvent:
    kind: str

    @property
    def name(self) -> str:
        return EVENT_NAMES[self.kind]

    @property
    def next_step(self) -> str:
        return NEXT_STEPS[self.kind]


def fold(text: str) -> str:
    """Lowercase without accents, one space between words, ’ read as '."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def recognise(text: str) -> list[LifeEvent]:
    """The life events a text reports, in `EVENT_NAMES` order; empty for none."""
    folded = fold(text)
    found = []
    for kind, pattern in _COMPILED.items():
        if not pattern.search(folded):
            continue
        negation = _NEGATED.get(kind)
        if negation is not None and negation.search(folded) and not _outside_negation(kind, folded, negation):
            continue
        found.append(LifeEvent(kind))
    return found


def _outside_negation(kind: str, folded: str, negation: re.Pattern[str]) -> bool:
    """Whether the event is still said once the negated phrase is taken out ("I was looking for a job
    and I got hired at Target" reports a job start)."""
    return _COMPILED[kind].search(negation.sub(" ", folded)) is not None
