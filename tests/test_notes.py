"""Case notes: drafted from recorded conversations (golden drafts), checked, and reviewed with the
record kept whole by the database itself."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DatabaseError

from bot.app import Service, build_service
from bot.settings import Settings
from casefile.case_notes import CaseNote, NoteAddendum, NoteAudit
from casefile.contacts import Contact
from casefile.messages import Message
from casefile.people import find_counselor_by_email, find_participant_by_phone
from casefile.timesheets import TimesheetEntry
from casefile.vocabulary import EntryState, NoteState
from notes import review
from notes.check import ELEMENTS, check_note
from tests.fake_twilio import run_fake_twilio
from tests.notes_support import as_text, drafted_after
from tests.support import ENGLISH_PHONE, FixedClock
from tests.test_dispatch import with_twilio

GOLDEN = Path(__file__).parent / "golden_notes"
CONVERSATIONS = sorted(path.stem for path in GOLDEN.glob("*.txt"))
DANA = "dana.lee@example.org"
#: The lines that state nothing a message said, and so cite none.
BOILERPLATE = {
    "The participant and the Waypoint text service (automated messages); the counselor did not take part.",
    "None reported.",
    "None set.",
    "None.",
    "No new steps were set.",
    "No change to the employment plan.",
    "To be decided by the counselor after reading what the participant also said.",
    "To be decided by the counselor: the participant reported a change (see the life event note of this date).",
}


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_recorded_conversations_draft_the_golden_notes(name: str, service: Service, clock: FixedClock) -> None:
    notes = drafted_after(name, service, clock)
    assert as_text(notes) == (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    with service.sessions.begin() as session:
        for note in notes:
            assert note.state is NoteState.DRAFT and note.problems == []
            lines = dict(line.split(": ", 1) for line in note.draft_body.splitlines())
            assert list(lines) == list(ELEMENTS), "one line per minimum element, in order"
            assert all(lines.values())
            contact = set(session.scalars(select(Message.id).where(Message.contact_id == note.contact_id)))
            theirs = set(session.scalars(select(Message.id).where(Message.participant_id == note.participant_id)))
            for sentence in note.sources:
                if not sentence["message_ids"]:
                    assert sentence["text"] in BOILERPLATE, f"{sentence['text']!r} has no source message"
                assert set(sentence["message_ids"]) | set(sentence["confirmed_by"]) <= theirs
                if sentence["element"] == "Participant reported":
                    assert set(sentence["message_ids"]) <= contact, "what they reported, they said in this contact"


def test_the_participants_words_are_quoted_as_theirs_and_the_note_is_english(
    service: Service, clock: FixedClock
) -> None:
    notes = drafted_after("es_stuck_childcare", service, clock)
    barrier = next(note for note in notes if note.subject == "barrier")
    assert '"no tengo quien cuide a mis hijos" (participant\'s words, original Spanish)' in barrier.draft_body
    assert barrier.title == "Text contact: child care barrier reported, help requested"
    [source] = [s for s in barrier.sources if "no tengo" in s["text"]]
    with service.sessions.begin() as session:
        [words] = session.scalars(select(Message.body).where(Message.id.in_(source["message_ids"])))
    assert words == "no tengo quien cuide a mis hijos"


def test_drafting_again_makes_no_second_note(service: Service, clock: FixedClock) -> None:
    first = drafted_after("en_goal_reached", service, clock)
    with service.sessions.begin() as session:
        session.execute(update(Contact).values(drafted_at=None))
    assert service.draft_notes()["contacts"] == 0
    with service.sessions.begin() as session:
        assert len(session.scalars(select(CaseNote.id)).all()) == len(first)
        assert session.scalar(select(NoteAudit.action).where(NoteAudit.note_id == first[0].id)) == "drafted"


def test_a_contact_stays_open_until_its_quiet_spell_is_over(service: Service, clock: FixedClock) -> None:
    from tests.channels import ConsoleAdapter

    ConsoleAdapter(service, clock).send("hi", "1")
    clock.advance(minutes=119)
    assert service.draft_notes()["contacts"] == 0
    clock.advance(minutes=2)
    assert service.draft_notes()["contacts"] == 1


def _welcome_texts_sent(settings: Settings, clock: FixedClock) -> None:
    for twilio in run_fake_twilio():
        sender = build_service(with_twilio(settings, twilio), clock)
        sender.sweep()
        assert sender.dispatch()["sent"] == 2  # the welcome texts of both demo participants
        sender.close()


def test_unanswered_outreach_is_one_attempts_log_per_participant_when_the_month_ends(
    settings: Settings, service: Service, clock: FixedClock
) -> None:
    _welcome_texts_sent(settings, clock)
    clock.advance(hours=3)
    service.draft_notes()
    with service.sessions.begin() as session:
        assert session.scalars(select(CaseNote)).all() == [], "no note per unanswered text"
    clock.now = datetime(2026, 4, 1, 7, 1, tzinfo=UTC)  # 1 April, just after midnight in California
    service.draft_notes()
    with service.sessions.begin() as session:
        notes = session.scalars(select(CaseNote).where(CaseNote.subject == "attempts")).all()
    assert [(note.title, note.occurrence, note.contact_id) for note in notes] == [
        ("Outreach attempts log, March 2026: 1 text, no reply", "2026-03", None)
    ] * 2
    body = notes[0].draft_body
    assert "Date of contact: No two-way contact; 1 attempt from 03/02/2026 to 03/02/2026." in body
    assert "Participant reported: 03/02/2026 09:00 AM, Text message (SMS): welcome text; sent, no reply." in body
    assert notes[0].problems == []
    service.draft_notes()
    with service.sessions.begin() as session:
        assert len(session.scalars(select(CaseNote).where(CaseNote.subject == "attempts")).all()) == 2, "logged once"


def test_an_answer_closes_the_attempts_log_before_it(settings: Settings, service: Service, clock: FixedClock) -> None:
    from tests.channels import ConsoleAdapter

    _welcome_texts_sent(settings, clock)
    clock.advance(days=3)
    ConsoleAdapter(service, clock).send("yes", "1")
    clock.advance(hours=3)
    service.draft_notes()
    with service.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        notes = session.scalars(select(CaseNote).where(CaseNote.participant_id == jordan.id)).all()
    log = next(note for note in notes if note.subject == "attempts")
    assert log.title == "Outreach attempts log, March 2026: 1 text, answered 03/05/2026"
    assert log.occurrence.startswith("2026-03 to contact ")
    assert "The participant answered on 03/05/2026; that contact has its own notes." in log.draft_body
    assert [note.subject for note in notes if note.subject != "attempts"] == ["consent"]


def test_the_monthly_verification_is_drafted_on_the_first_with_the_prior_months_hours(
    service: Service, clock: FixedClock
) -> None:
    with service.sessions.begin() as session:
        jordan = find_participant_by_phone(session, ENGLISH_PHONE)
        assert jordan is not None
        for day, hours in [(date(2026, 3, 2), 6.0), (date(2026, 3, 3), 5.5)]:
            session.add(
                TimesheetEntry(
                    participant_id=jordan.id, day=day, whole_week=False, activity="job_search", hours=hours,
                    excuse=None, state=EntryState.CONFIRMED, message_id=None, reported_at=clock(), confirmed_at=clock(),
                )
            )  # fmt: skip
    clock.now = datetime(2026, 4, 1, 6, 59, tzinfo=UTC)  # still 31 March in California
    assert service.draft_notes()["verifications"] == 0
    clock.advance(minutes=2)
    assert service.draft_notes()["verifications"] == 2  # both demo participants
    assert service.draft_notes()["verifications"] == 0
    with service.sessions.begin() as session:
        note = session.scalars(
            select(CaseNote).where(CaseNote.participant_id == jordan.id, CaseNote.subject == "verification")
        ).one()
    assert note.title == "Monthly hours verification: March 2026" and note.occurrence == "2026-03"
    assert "11.5 hours of job search confirmed in the month." in note.draft_body
    assert "Verify the participation hours of March 2026 by 04/20/2026." in note.draft_body
    assert note.problems == []
    assert note.due_at == datetime(2026, 4, 21, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body_change", "problem"),
    [
        (("None reported.", "The participant was lazy and uncooperative."), '"lazy" is a judgement'),
        (("None reported.", "Her SSN is 123-45-6789."), "Social Security number"),
        (("None reported.", "Date of birth 04/12/1990."), "full date of birth"),
        (("None reported.", "Case number B123456 was discussed."), "case number"),
        (("Forms and documents: None.", "Forms and documents:"), "the forms and documents is missing"),
        (("None reported.", "x" * 4000), "characters long"),
        (("None reported.", "I called her twice; she failed to answer."), '"failed to" is a judgement'),
        (("None reported.", "The participant admitted missing the class."), '"admitted" is a judgement'),
        (("None reported.", "Second no-show this month."), '"no-show" is a judgement'),
        (("None reported.", "Typical of this participant."), '"typical" is a judgement'),
        (("None reported.", "Unreliable about hours."), '"unreliable" is a judgement'),
        (("None reported.", "I called the participant."), '"I" is first person'),
        (("None reported.", "We spoke about my concerns."), '"my" is first person'),
    ],
)
def test_the_check_rejects_bad_notes(body_change: tuple[str, str], problem: str) -> None:
    good = "\n".join(f"{element}: None reported." for element in ELEMENTS).replace(
        "Forms and documents: None reported.", "Forms and documents: None."
    )
    assert check_note("Text check-in: step done", good, date(2026, 3, 2)) == []
    bad = good.replace(*body_change, 1)
    problems = check_note("Text check-in: step done", bad, date(2026, 3, 2))
    assert any(problem in found for found in problems), problems


def test_the_programmes_formal_terms_are_not_judgements() -> None:
    body = "\n".join(f"{element}: None reported." for element in ELEMENTS).replace(
        "Effect on the plan: None reported.",
        "Effect on the plan: The counselor decides whether the participant is non-compliant or has good cause.",
    )
    assert check_note("Text contact: hours short", body, date(2026, 3, 2)) == []


def test_a_drafts_sentences_are_checked_as_its_whole_text_is() -> None:
    body = "\n".join(f"{element}: None reported." for element in ELEMENTS)
    sentences = ["None reported.", "The participant was rude.", "Her SSN is 123-45-6789."]
    bad = body.replace("None reported.", " ".join(sentences[1:]), 1)
    assert check_note("Title", bad, date(2026, 3, 2), sentences) == check_note("Title", bad, date(2026, 3, 2))


def test_the_participants_own_quoted_words_are_not_judged() -> None:
    body = "\n".join(f'{element}: Said "I was lazy this week, lol" (participant\'s words).' for element in ELEMENTS)
    assert check_note("Text check-in", body, date(2026, 3, 2)) == []


def _draft(service: Service, clock: FixedClock) -> CaseNote:
    notes = drafted_after("en_goal_reached", service, clock)
    return next(note for note in notes if note.subject == "checkin")


def test_approving_as_drafted_or_edited_keeps_the_draft_and_audits_both(service: Service, clock: FixedClock) -> None:
    notes = drafted_after("en_goal_reached", service, clock)
    first, second = notes[0], notes[1]
    edited = first.draft_body.replace("None reported.", "None reported; the participant has child care lined up.")
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, DANA)
        assert dana is not None
        review.approve(session, dana, first.id, clock(), edited)
        review.approve(session, dana, second.id, clock())
    with service.sessions.begin() as session:
        one, two = session.get(CaseNote, first.id), session.get(CaseNote, second.id)
        assert one is not None and two is not None
        assert (one.state, one.edited, one.final_body, one.draft_body) == (
            NoteState.APPROVED,
            True,
            edited,
            first.draft_body,
        )
        assert (two.edited, two.final_body) == (False, second.draft_body)
        audit = session.scalars(select(NoteAudit).where(NoteAudit.note_id == first.id).order_by(NoteAudit.id)).all()
        assert [(a.action, a.before, a.after) for a in audit][-1] == ("edited_and_approved", first.draft_body, edited)
        assert audit[-1].counselor_id == one.reviewed_by


def test_a_reviewed_note_cannot_be_reviewed_again_and_takes_addenda(service: Service, clock: FixedClock) -> None:
    note = _draft(service, clock)
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, DANA)
        assert dana is not None
        with pytest.raises(review.ReviewRefused, match="only an approved note"):
            review.add_addendum(session, dana, note.id, "More.", clock())
        with pytest.raises(review.ReviewRefused, match="say why"):
            review.reject(session, dana, note.id, " ", clock())
        review.approve(session, dana, note.id, clock())
        with pytest.raises(review.ReviewRefused, match="approved already"):
            review.reject(session, dana, note.id, "wrong person", clock())
        with pytest.raises(review.ReviewRefused, match="Social Security"):
            review.add_addendum(session, dana, note.id, "SSN 123-45-6789", clock())
        review.add_addendum(
            session, dana, note.id, "The participant called on 03/03/2026 to confirm the class.", clock()
        )
    with service.sessions.begin() as session:
        assert session.scalar(select(NoteAddendum.body).where(NoteAddendum.note_id == note.id)).startswith(
            "The participant"
        )


def test_a_draft_that_fails_the_check_cannot_be_approved_until_edited(service: Service, clock: FixedClock) -> None:
    note = _draft(service, clock)
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, DANA)
        assert dana is not None
        with pytest.raises(review.ReviewRefused, match="judgement"):
            review.approve(session, dana, note.id, clock(), note.draft_body + " She was rude.")


def test_approved_notes_addenda_and_audit_cannot_be_changed_in_the_database(
    service: Service, clock: FixedClock
) -> None:
    notes = drafted_after("en_goal_reached", service, clock)
    approved, draft = notes[0], notes[1]
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, DANA)
        assert dana is not None
        review.approve(session, dana, approved.id, clock())
        review.add_addendum(session, dana, approved.id, "Called to confirm.", clock())
    refused = [
        f"UPDATE case_notes SET final_body = 'changed' WHERE id = {approved.id}",
        f"UPDATE case_notes SET state = 'draft' WHERE id = {approved.id}",
        f"DELETE FROM case_notes WHERE id = {approved.id}",
        f"UPDATE note_addenda SET body = 'changed' WHERE note_id = {approved.id}",
        f"DELETE FROM note_addenda WHERE note_id = {approved.id}",
        "UPDATE note_audit SET after = 'changed'",
        "DELETE FROM note_audit",
    ]
    for statement in refused:
        with pytest.raises(DatabaseError, match="cannot be changed or deleted"):
            with service.engine.begin() as connection:
                connection.execute(text(statement))
    with service.engine.begin() as connection:  # a draft is still work in progress
        connection.execute(text(f"UPDATE case_notes SET title = 'Text check-in' WHERE id = {draft.id}"))


def test_a_draft_is_late_after_one_business_day_and_the_queue_is_oldest_first(
    service: Service, clock: FixedClock
) -> None:
    clock.now = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # Friday 9:00 in California
    from tests.channels import ConsoleAdapter

    ConsoleAdapter(service, clock).send("hi", "1")
    clock.advance(hours=3)
    service.draft_notes()
    ConsoleAdapter(service, clock).send("hello again", "2")
    clock.advance(hours=3)
    service.draft_notes()
    with service.sessions.begin() as session:
        dana = find_counselor_by_email(session, DANA)
        assert dana is not None
        queue = review.queue(session, dana, clock())
        assert [note.drafted_at for note, _ in queue] == sorted(note.drafted_at for note, _ in queue)
        assert not any(late for _, late in queue)
        # Monday is the business day after Friday: late from Tuesday 00:00 on the participant's clock.
        assert not any(late for _, late in review.queue(session, dana, datetime(2026, 3, 10, 6, 59, tzinfo=UTC)))
        assert all(late for _, late in review.queue(session, dana, datetime(2026, 3, 10, 7, 0, tzinfo=UTC)))


def test_attempts_logs_are_written_a_batch_of_participants_at_a_time(
    settings: Settings, service: Service, clock: FixedClock
) -> None:
    """A county's month-end holds more ids than SQLite takes in one statement ("too many SQL
    variables" at 100k participants): the logs are found and written a batch of participants at a time."""
    from notes.attempts import due_logs

    _welcome_texts_sent(settings, clock)
    clock.advance(hours=3)
    service.draft_notes()
    clock.now = datetime(2026, 4, 1, 7, 1, tzinfo=UTC)
    with service.sessions.begin() as session:
        first, after = due_logs(session, clock(), 0, limit=1)
        second, last = due_logs(session, clock(), after or 0, limit=1)
        assert due_logs(session, clock(), last or 0, limit=1) == ([], None)
    assert [log.participant_id for log in first + second] == [1, 2]
    assert service.draft_notes()["contacts"] == 2
