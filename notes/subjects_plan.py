"""The notes on the participant's plan: Goal-Plan-Do-Review check-ins, barriers, hours reports."""

from datetime import date

from casefile.verification import verify_by
from casefile.vocabulary import Language
from conversations.rendering import ACTIVITY_NAMES, EXCUSE_NAMES, hours_text
from notes.compose import (
    DOCUMENTS,
    EFFECT,
    NEXT,
    OBSTACLES,
    REPORTED,
    NoteBuilder,
    NoteContext,
    documents,
    frame,
    ids_of,
    say_fact,
    shorten,
)
from notes.load import FactView
from notes.render import BARRIER_NAMES, us_date

ACTIVITIES = ACTIVITY_NAMES[Language.ENGLISH]
EXCUSES = EXCUSE_NAMES[Language.ENGLISH]
#: The headline of a check-in, by the most telling fact in it.
CHECKIN_TITLES = (
    ("goal_reached", "goal reached"),
    ("goal_confirmed", "goal set"),
    ("goal_revised", "goal revised"),
    ("step_missed", "step not done, plan revised"),
    ("step_done", "step done"),
    ("step_planned", "next step planned"),
)


def checkin(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    kinds = {fact.kind for fact in facts}
    headline, topic = "goal progress", None
    for kind, words in CHECKIN_TITLES:
        if kind in kinds:
            fact = next(f for f in facts if f.kind == kind)
            headline, topic = words, fact.data.get("words") or fact.data.get("text")
            break
    title = f"Text step check-in: {headline}" + (f', "{shorten(topic)}"' if topic else "")
    note = NoteBuilder(title)
    frame(context, note, "Goal-Plan-Do-Review check-in on the participant's goal and steps.", ids_of(facts))
    q = context.quote
    for fact in facts:
        data = fact.data
        if fact.kind == "goal_set":
            say_fact(note, REPORTED, f"The participant named a goal: {q(data['words'])}.", fact)
        elif fact.kind == "goal_confirmed":
            text = (
                f"The participant confirmed the goal {q(data['words'])}, measured by {q(data['measure'])}, "
                f"with a target date of {us_date(data['target'])}."
            )
            say_fact(note, REPORTED, text, fact)
        elif fact.kind == "goal_revised":
            text = f"The participant revised the goal to {q(data['words'])}, with a target date of {us_date(data['target'])}."
            say_fact(note, REPORTED, text, fact)
        elif fact.kind == "goal_reached":
            say_fact(note, REPORTED, f"The participant reported reaching the goal {q(data['words'])}.", fact)
        elif fact.kind == "step_done":
            say_fact(note, REPORTED, f"The participant reported the step {q(data['text'])} as done.", fact)
        elif fact.kind == "step_missed":
            text = f"The participant reported the step {q(data['text'])}, due {us_date(data['due'])}, as not done."
            say_fact(note, REPORTED, text, fact)
        elif fact.kind == "step_planned":
            say_fact(note, NEXT, f"Next step: {q(data['text'])} by {us_date(data['due'])}.", fact)
        elif fact.kind == "date_revised":
            text = (
                f"The step {q(data['text'])} is now due {us_date(data['due'])} (was {us_date(data['previous_due'])})."
            )
            say_fact(note, NEXT, text, fact)
        elif fact.kind == "step_changed":
            text = f"The step {q(data['previous_text'])} was replaced by {q(data['text'])}, due {us_date(data['due'])}."
            say_fact(note, NEXT, text, fact)
    if not note.says(REPORTED):
        note.say(REPORTED, "The participant reviewed the plan.", ids_of(facts))
    barriers = context.subjects.get("barrier", [])
    if barriers:
        note.say(
            OBSTACLES,
            "The participant raised a barrier, documented in its own note of the same date.",
            ids_of(barriers),
        )
    if not note.says(NEXT):
        note.say(NEXT, "No new steps were set.")
    _checkin_effect(note, facts)
    return note


def _checkin_effect(note: NoteBuilder, facts: list[FactView]) -> None:
    def of(*kinds: str) -> list[int]:
        return ids_of(fact for fact in facts if fact.kind in kinds)

    if of("goal_reached"):
        note.say(EFFECT, "The goal was reached; a new goal is to be set with the participant.", of("goal_reached"))
    elif of("goal_confirmed", "goal_revised"):
        note.say(EFFECT, "The goal on the plan is now the one above.", of("goal_confirmed", "goal_revised"))
    elif of("date_revised", "step_changed"):
        note.say(EFFECT, "Step dates on the plan changed as above.", of("date_revised", "step_changed"))


def barrier_name(category: str) -> str:
    return BARRIER_NAMES[category]


def barrier(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    raised = [fact for fact in facts if fact.kind == "barrier_raised"]
    requested = [fact for fact in facts if fact.kind == "support_requested"]
    categories = list(dict.fromkeys(barrier_name(fact.data["category"]) for fact in raised + requested))
    named = [category for category in categories if category != "other"]
    topic = " and ".join(named) + " barrier" if named else "barrier in the participant's words"
    title = f"Text contact: {topic} reported" + (", help requested" if requested else "")
    note = NoteBuilder(title)
    frame(context, note, "Check-in; the participant reported something in the way of the plan.", ids_of(facts))
    for fact in raised:
        category = barrier_name(fact.data["category"])
        kind = "a barrier in their own words" if category == "other" else f"a {category} barrier"
        words = fact.data.get("words") or ""
        said = f": {context.quote(words)}" if sum(c.isalpha() for c in words) >= 2 else ""
        say_fact(note, REPORTED, f"The participant reported {kind}{said}.", fact)
    if not raised:
        note.say(REPORTED, f"The participant asked for help with {' and '.join(categories)}.", ids_of(requested))
    for fact in requested:
        text = f"The participant asked for the counselor's help with {barrier_name(fact.data['category'])} (supportive services or a referral)."
        say_fact(note, OBSTACLES, text, fact)
    if not requested:
        note.say(OBSTACLES, "The participant did not ask for help with it at this time.", ids_of(raised))
    if requested:
        text = f"The counselor is to contact the participant about {' and '.join(categories)} support by {context.action_due()}."
        note.say(NEXT, text, ids_of(requested))
    note.say(
        EFFECT, "None yet; the counselor decides on supportive services and any change to the plan.", ids_of(facts)
    )
    return note


def hours(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    confirmed = [fact for fact in facts if fact.kind == "hours_confirmed"]
    short = [fact for fact in facts if fact.kind == "hours_short"]
    weeks = sorted(context.file.weeks.items())
    required = context.file.weekly_required
    if confirmed and len(weeks) == 1:
        start, (participated, _, _) = weeks[0]
        title = f"Text hours report: week of {us_date(start)}, {hours_text(participated)} of {required} hours confirmed"
    elif confirmed:
        total = sum(line["hours"] for fact in confirmed for line in fact.data["lines"] if not line["excuse"])
        title = f"Text hours report: {hours_text(total)} participation hours confirmed over {len(weeks)} weeks"
    else:
        title = "Text hours report: hours reported, not confirmed"
    note = NoteBuilder(title)
    frame(context, note, "Participation hours report.", ids_of(facts))
    lines = sorted(((line, fact) for fact in confirmed for line in fact.data["lines"]), key=lambda pair: pair[0]["day"])
    for line, fact in lines:
        when = "in the week of" if line["whole_week"] else "on"
        if line["excuse"]:
            what = f"{hours_text(line['hours'])} hours excused ({EXCUSES[line['excuse']]})"
        else:
            what = f"{hours_text(line['hours'])} hours of {ACTIVITIES[line['activity']]}"
        say_fact(note, REPORTED, f"{what} {when} {us_date(line['day'])}, confirmed by the participant.", fact)
    if not confirmed:
        text = "The participant reported hours but did not confirm them when they were read back; they are on file and not counted."
        note.say(REPORTED, text, ids_of(facts))
    for fact in short:
        data = fact.data
        text = (
            f"The week of {us_date(data['week_start'])} ended with {hours_text(data['participated'])} participation hours "
            f"and {hours_text(data['excused'])} excused hours, short of the {data['required']}-hour weekly requirement; "
            "the counselor decides what follows."
        )
        say_fact(note, OBSTACLES, text, fact)
    days = [date.fromisoformat(line["day"]) for fact in facts for line in fact.data.get("lines", ())]
    last = max(days, default=context.day)
    note.say(NEXT, f"The counselor verifies the month's hours by {us_date(verify_by(last))}.", ids_of(facts))
    for start, (participated, excused, ids) in weeks:
        text = (
            f"Week of {us_date(start)}: {hours_text(participated)} participation hours and {hours_text(excused)} "
            f"excused hours confirmed so far, against a requirement of {required} hours a week."
        )
        note.say(EFFECT, text, ids)
    if not weeks:
        note.say(EFFECT, "No hours were counted.")
    if confirmed:
        note.say(DOCUMENTS, "Hours report completed by text.", ids_of(confirmed))
        if context.facts("document_received"):
            documents(context, note)
    return note
