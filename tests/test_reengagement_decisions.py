"""What re-engagement queues equals what each participant's own history says it owes.

The sweep decides attempt 1 and the later steps in one read of a zone's quiet participants
(scheduler/disengaged.py). Here a county seeded by bench/seed.py has its histories shuffled at
random (last contacts moved, re-engagement texts sent, cancelled, skipped or still queued, tasks
made, pauses and opt-outs), and what one whole pass queues of re-engagement is compared with the
rule as DOMAIN.md states it, worked out here in Python for each participant from their rows.
"""

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bench.seed import NOW, seed
from bot.app import Service, build_service
from bot.settings import Settings
from casefile.outreach import Outreach, OutreachKind, OutreachState
from casefile.people import Participant
from casefile.vocabulary import ConsentState
from scheduler.audience import midnight
from scheduler.rules import Anchor, Rule
from scheduler.timing import local_moment
from tests.support import FixedClock


def owed_by_history(service: Service, rule: Rule, now: datetime) -> set[tuple[int, str]]:
    """(participant, occurrence) of every re-engagement step the participants' rows say is owed now."""
    check_in_rules = {r.name for r in service.rules if r.relative_to is Anchor.CHECK_IN_DAY}
    with service.sessions.begin() as session:
        people = session.execute(select(Participant)).scalars().all()
        outreach: dict[int, list[Any]] = {}
        for row in session.execute(select(Outreach)).scalars():
            outreach.setdefault(row.participant_id, []).append(row)
        owed: set[tuple[int, str]] = set()
        for person in people:
            zone = ZoneInfo(person.time_zone)
            today = now.astimezone(zone).date()
            paused = person.outreach_paused_until is not None and person.outreach_paused_until >= today
            if person.status not in rule.statuses or person.consent_state is ConsentState.OPTED_OUT or paused:
                continue
            quiet = person.last_heard_at or person.enrolled_at
            if quiet >= now - timedelta(days=7):
                continue
            mine = outreach.get(person.id, [])
            episode = [o for o in mine if o.rule == rule.name and o.created_at > quiet]
            key = quiet.strftime("%Y%m%dT%H%M%S")
            first_due = local_moment(today, rule.hour, zone) if rule.hour is not None else now
            if not episode:
                missed = [
                    o
                    for o in mine
                    if o.rule in check_in_rules
                    and o.state is OutreachState.DISPATCHED
                    and o.created_at > quiet
                    and o.state_at < now - timedelta(days=1)
                ]
                disengaged = quiet < now - timedelta(days=rule.quiet_days) or len(missed) >= rule.missed_check_ins
                if disengaged and first_due <= now:
                    owed.add((person.id, f"{key}#1"))
                continue
            if any(o.state is OutreachState.QUEUED for o in episode):
                continue
            texts = [o for o in episode if o.kind is OutreachKind.TEXT]
            sent = [o for o in texts if o.state is OutreachState.DISPATCHED]
            tasks = [o for o in episode if o.kind is OutreachKind.TASK]
            last_at = max((o.state_at for o in texts), default=None)
            if rule.task_after and len(sent) >= rule.task_after and not tasks and last_at is not None:
                if last_at + timedelta(days=rule.task_delay_days) <= now:
                    owed.add((person.id, f"{key}#task"))
            due_at = first_due
            if last_at is not None:
                next_day = last_at.astimezone(zone).date() + timedelta(days=rule.gap_after(len(texts)))
                due_at = local_moment(next_day, rule.hour, zone) if rule.hour is not None else midnight(next_day, zone)
            if due_at <= now:
                owed.add((person.id, f"{key}#{len(texts) + 1}"))
    # The shuffle can leave a row of this spell's key dated before the spell: the outbox's unique
    # key (rule, occurrence, participant) keeps the sweep from queuing that step a second time.
    taken = {
        (row.participant_id, row.occurrence) for rows in outreach.values() for row in rows if row.rule == rule.name
    }
    return owed - taken


def shuffle_histories(service: Service, rule: Rule, now: datetime, rng: random.Random) -> None:
    """Move last contacts and re-engagement rows about, as months of a county would have left them."""
    with service.sessions.begin() as session:
        ids = session.execute(select(Participant.id)).scalars().all()
        for person in rng.sample(ids, len(ids) // 4):
            heard = rng.choice([None, now - timedelta(days=rng.uniform(0, 70))])
            session.execute(update(Participant).where(Participant.id == person).values(last_heard_at=heard))
        for person in rng.sample(ids, len(ids) // 30):
            if rng.random() < 0.5:
                paused = (now + timedelta(days=rng.randint(-2, 2))).date()
                session.execute(
                    update(Participant).where(Participant.id == person).values(outreach_paused_until=paused)
                )
            else:
                opted_out = ConsentState.OPTED_OUT
                session.execute(update(Participant).where(Participant.id == person).values(consent_state=opted_out))
        rows = session.execute(select(Outreach.id).where(Outreach.rule == rule.name)).scalars().all()
        for row in rng.sample(rows, len(rows) // 2):
            state = rng.choice(list(OutreachState))
            moment = now - timedelta(days=rng.uniform(0, 25), hours=rng.uniform(0, 24))
            session.execute(
                update(Outreach)
                .where(Outreach.id == row)
                .values(state=state, state_at=moment, created_at=moment - timedelta(days=rng.uniform(0, 30)))
            )


@pytest.mark.parametrize("seed_number", [1, 2, 3])
@pytest.mark.parametrize("hours_later", [-1, 3])
def test_what_a_whole_pass_queues_of_re_engagement_is_what_each_history_owes(
    database_url: str, seed_number: int, hours_later: int
) -> None:
    """An hour before the seeded Monday 11:05 in California (attempt 1's hour, 11, has not come
    there yet, and has in the zones east of it) and three hours after it, with the histories
    shuffled."""
    seed(database_url, 600, weeks=4)
    now = NOW + timedelta(hours=hours_later)
    service = build_service(Settings(database_url=database_url), FixedClock(now))
    try:
        [rule] = [rule for rule in service.rules if rule.relative_to is Anchor.QUIET_SINCE]
        shuffle_histories(service, rule, now, random.Random(seed_number))
        expected = owed_by_history(service, rule, now)
        with service.sessions.begin() as session:
            before = set(session.execute(select(Outreach.id)).scalars())
        service.sweep(whole=True)
        with service.sessions.begin() as session:
            queued = {
                (row.participant_id, row.occurrence)
                for row in session.execute(select(Outreach).where(Outreach.rule == rule.name)).scalars()
                if row.id not in before
            }
    finally:
        service.close()
    assert len(expected) > 10 and any(occurrence.endswith("#1") for _, occurrence in expected)
    if hours_later > 0:
        assert any(not occurrence.endswith("#1") for _, occurrence in expected), "later steps too"
    assert queued == expected
