"""The notes on the contact itself: safety, life events, documents, messages for the counselor,
consent, unanswered outreach, and a plain contact in which nothing else was recorded."""

from conversations.life_events import EVENT_NAMES
from notes.compose import (
    EFFECT,
    NEXT,
    OBSTACLES,
    REPORTED,
    NoteBuilder,
    NoteContext,
    frame,
    ids_of,
    language_name,
    say_fact,
)
from notes.load import FactView
from notes.render import us_date

#: Events that change employment, which amends the WTW 2 plan (seed 000).
EMPLOYMENT_EVENTS = ("job_started", "job_lost", "work_hours_changed", "income_changed")
MAX_TITLE_EVENTS = 2


def safety(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    note = NoteBuilder("Text contact: safety concern raised")
    frame(context, note, "The participant wrote to the service.", ids_of(facts))
    # The words themselves stay in the transcript, where access is limited to the counselor.
    for fact in facts:
        say_fact(
            note,
            REPORTED,
            "The participant wrote words that suggest a safety concern; the message is in the transcript.",
            fact,
        )
    note.say(NEXT, f"The counselor is to contact the participant at once, on {us_date(context.day)}.", ids_of(facts))
    note.say(EFFECT, "None recorded; the counselor decides on any referral or change to the plan.", ids_of(facts))
    return note


def life_event(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    """News in passing (a job, a move, a court date...): its own note, with what the counselor does."""
    reported = [(text, events) for text, events in context.events if events]
    kinds = list(dict.fromkeys(event.kind for _, events in reported for event in events))
    named = [EVENT_NAMES[kind] for kind in kinds[:MAX_TITLE_EVENTS]]
    more = f" and {len(kinds) - MAX_TITLE_EVENTS} more" if len(kinds) > MAX_TITLE_EVENTS else ""
    note = NoteBuilder(f"Text contact: change reported, {'; '.join(named)}{more}")
    ids = [text.id for text, _ in reported]
    frame(context, note, "The participant reported a change in their circumstances.", ids)
    for text, events in reported:
        names = "; ".join(event.name for event in events)
        note.say(REPORTED, f"The participant wrote {context.quote(text.body)} ({names}).", [text.id])
    if "appointment_change" in kinds:
        ask = [text.id for text, events in reported if any(e.kind == "appointment_change" for e in events)]
        note.say(
            OBSTACLES,
            "An appointment cannot be kept as scheduled; whether there is good cause is the counselor's call.",
            ask,
        )
    due = context.action_due()
    for kind in kinds:
        event_ids = [text.id for text, events in reported if any(e.kind == kind for e in events)]
        next_step = next(e for _, events in reported for e in events if e.kind == kind).next_step
        note.say(NEXT, f"The counselor is to {next_step} by {due}.", event_ids)
    if any(kind in EMPLOYMENT_EVENTS for kind in kinds):
        note.say(
            EFFECT, "Employment or income changed: the counselor reviews and amends the WTW 2 plan as needed.", ids
        )
    else:
        note.say(EFFECT, "To be decided by the counselor once the change is confirmed.", ids)
    return note


def document(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    received = [fact for fact in facts if fact.kind == "document_received"]
    count = sum(len(fact.data["content_types"]) for fact in received)
    files = f"{count} file{'s' if count != 1 else ''}"
    note = NoteBuilder(f"Document received by text: {files}")
    frame(context, note, "The participant sent documents.", ids_of(facts))
    text = (
        f"The participant sent {files} by text; they are stored with the case and are to be reviewed by the counselor."
    )
    note.say(REPORTED, text, ids_of(received))
    for fact in facts:
        if fact.kind == "document_not_fetched":
            say_fact(
                note,
                OBSTACLES,
                "A file could not be retrieved from the messaging provider; the participant may need to send it again.",
                fact,
            )
    note.say(NEXT, f"The counselor is to review the documents received by {context.action_due()}.", ids_of(received))
    return note


def counselor_message(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    note = NoteBuilder("Text message to counselor")
    frame(context, note, "The participant asked for a message to be passed to the counselor.", ids_of(facts))
    for fact in facts:
        say_fact(note, REPORTED, f"Message for the counselor: {context.quote(fact.data['text'])}.", fact)
    note.say(NEXT, f"The counselor is to reply to the participant by {context.action_due()}.", ids_of(facts))
    return note


CONSENT_TITLES = (
    ("opted_out", "participant opted out of texts"),
    ("opted_in", "participant opted back in to texts"),
    ("stop_request_flagged", "participant asked for fewer or no texts"),
    ("consent_confirmed", "consent to texts confirmed"),
)


def consent_sentences(context: NoteContext, note: NoteBuilder, facts: list[FactView]) -> None:
    """What the participant said of texts and language; also folded into another note when the
    contact's only consent fact is the first YES."""
    for fact in facts:
        data = fact.data
        if fact.kind == "opted_out":
            say_fact(note, REPORTED, f"The participant replied {data['keyword'].upper()} to stop texts.", fact)
        elif fact.kind == "opted_in":
            say_fact(note, REPORTED, f"The participant replied {data['keyword'].upper()} to receive texts again.", fact)
        elif fact.kind == "consent_confirmed":
            say_fact(note, REPORTED, "The participant confirmed consent to receive texts from the program.", fact)
        elif fact.kind == "stop_request_flagged":
            text = f"The participant wrote {context.quote(data['text'])}, which may be a request for fewer or no texts."
            say_fact(note, REPORTED, text, fact)
        elif fact.kind == "language_changed":
            say_fact(note, REPORTED, f"The participant asked for texts in {language_name(data['language'])}.", fact)


def consent(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    kinds = {fact.kind for fact in facts}
    headline = next((words for kind, words in CONSENT_TITLES if kind in kinds), "language preference changed")
    note = NoteBuilder(f"Text consent: {headline}")
    frame(context, note, "The participant's consent to texts or contact preferences.", ids_of(facts))
    consent_sentences(context, note, facts)
    flagged = ids_of(fact for fact in facts if fact.kind == "stop_request_flagged")
    opted_out = ids_of(fact for fact in facts if fact.kind == "opted_out")
    if flagged:
        note.say(
            NEXT,
            f"The counselor is to ask the participant how they want to be contacted by {context.action_due()}.",
            flagged,
        )
    elif opted_out:
        note.say(
            NEXT,
            f"The counselor is to reach the participant by another method (phone, letter or in person) by {context.action_due()}.",
            opted_out,
        )
    if opted_out:
        note.say(EFFECT, "No texts are sent to the participant until they opt back in.", opted_out)
    return note


def outreach(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    failed = [fact for fact in facts if fact.data.get("outcome") == "failed"]
    note = NoteBuilder(
        f"Outreach attempt by text: {'not delivered' if failed and len(failed) == len(facts) else 'no reply'}"
    )
    outreach_ids = [text.message_id for text in context.file.outreach]
    frame(context, note, "Contact attempt.", outreach_ids)
    note.say(REPORTED, "The participant did not reply before the contact closed.", context.file.message_ids)
    for fact in failed:
        say_fact(
            note, OBSTACLES, f"The text was not delivered (provider code {fact.data.get('code') or 'none'}).", fact
        )
    if not failed:
        note.say(OBSTACLES, "None known.")
    note.say(
        NEXT,
        "Further attempts follow the outreach schedule; after unanswered texts the counselor is asked to call, send a letter or plan a home visit.",
    )
    note.say(EFFECT, "No change to the employment plan.")
    return note


def contact(context: NoteContext, facts: list[FactView]) -> NoteBuilder:
    file = context.file
    note = NoteBuilder("Text contact: participant wrote" if file.inbound else "Text contact: messages sent")
    frame(
        context,
        note,
        "The participant wrote to the service." if not file.outreach else "Reply to the service's text.",
        file.inbound_ids[:1],
    )
    count = len(file.inbound)
    if not context.unrecorded:
        text = f"The participant sent {count} message{'s' if count != 1 else ''}; no check-in, hours, request or change was recorded from them."
        note.say(REPORTED, text, file.inbound_ids)
    return note
