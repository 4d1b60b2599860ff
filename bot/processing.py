"""What one stored inbound message does, inside its savepoint: run the engine and store the
replies, the new state, consent and the facts; link a chat; answer an unknown sender.

bot.inbox decides the transactions (store first, then this in a savepoint); this module writes only
through SQL statements, never ORM objects, so a savepoint on the connection is enough to undo it.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.senders import LINKED_CHANNELS, hours_plan, participant_view, sender_for
from casefile.addresses import Linking, redeem_link_code
from casefile.consent import record_consent
from casefile.contacts import contact_of, current_contact
from casefile.conversation import SavedConversation, save_conversation
from casefile.documents import add_documents
from casefile.facts import Fact, FactSource, record_facts
from casefile.messages import Message, add_outbound, mark_processed, note_unknown_sender
from casefile.outreach import cancel_queued, note_reply
from casefile.people import Correspondent, find_correspondent_by_id, set_participant
from casefile.vocabulary import Channel, ConsentAction, ConsentState, Language, MessageStatus
from conversations.engine import respond
from conversations.keywords import Keyword, keyword_in
from conversations.model import IDLE_FLOW, ConversationState, InboundText, Outcome, Reply
from conversations.rendering import MessageRenderer
from scheduler.office_hours import OfficeHours


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True)
class Stored:
    """An inbound message as stored: what processing reads."""

    id: int
    channel: Channel
    address: str
    text: str
    provider_id: str
    received_at: datetime
    media: tuple[Media, ...]

    @property
    def media_types(self) -> tuple[str, ...]:
        return tuple(item.content_type for item in self.media)

    @classmethod
    def from_row(cls, message: Message) -> "Stored":
        assert message.provider_id is not None
        return cls(
            message.id,
            message.channel,
            message.address,
            message.body,
            message.provider_id,
            message.created_at,
            tuple(Media(m["url"], m["content_type"]) for m in message.media),
        )


@dataclass(frozen=True)
class OutgoingText:
    message_id: int
    address: str
    body: str


class MessageProcessor:
    """Processes one stored message in the caller's savepoint; returns the replies it stored."""

    def __init__(
        self,
        renderer: MessageRenderer,
        clock: Callable[[], datetime],
        stops_on_reply: frozenset[str],
        office_hours: OfficeHours | None,
    ) -> None:
        self._renderer = renderer
        self._clock = clock
        #: The outreach rules whose queued texts a reply cancels (scheduler.rules: stop_on_reply).
        self._stops_on_reply = stops_on_reply
        #: When a person can answer a participant handed to one; None: at any time.
        self._office_hours = office_hours

    def process(self, session: Session, message: Stored, reply_status: MessageStatus) -> tuple[OutgoingText, ...]:
        code = link_code_in(message.text) if message.channel in LINKED_CHANNELS else None
        if code is not None:
            return self._link(session, message, code, reply_status)
        sender = sender_for(session, message.channel, message.address)
        if sender is None:
            mark_processed(session, message.id, None, None, self._clock())
            return self._answer_unknown_sender(session, message, reply_status)
        participant, handoff = sender.participant, sender.handoff
        contact_id = contact_of(session, participant.id, message.channel, message.received_at, sender.open_contacts)
        mark_processed(session, message.id, participant.id, contact_id, self._clock())
        answered = note_reply(
            session,
            participant.id,
            contact_id,
            message.id,
            message.received_at,
            self._stops_on_reply,
            sender.unanswered_outreach,
            sender.queued_outreach,
        )
        saved = participant.conversation
        state = (
            ConversationState(saved.flow, saved.step, dict(saved.data), saved.updated_at)
            if saved is not None
            else ConversationState()
        )
        view = participant_view(participant, sender.goal, hours_plan(session, participant, message.received_at))
        view = replace(
            view,
            handoff=handoff.reason.value if handoff is not None else None,
            crisis_resources_sent=handoff is not None and handoff.resources_contact_id == contact_id,
            office_opens_at=self._office_hours.next_opening(message.received_at) if self._office_hours else None,
        )
        outcome = respond(view, state, InboundText(message.text, message.media_types), message.received_at)
        self._apply(session, participant, message, contact_id, outcome, answered)
        if not _still_idle(saved, outcome.state):
            save_conversation(
                session, participant.id, outcome.state.flow, outcome.state.step, outcome.state.data, message.received_at
            )
        language = outcome.language or participant.language
        return self.reply(session, message, participant.id, contact_id, outcome.replies, language, reply_status)

    def _apply(
        self,
        session: Session,
        participant: Correspondent,
        message: Stored,
        contact_id: int,
        outcome: Outcome,
        answered: Sequence[Fact],
    ) -> None:
        """Store what the message changed: language, consent, and its facts (with those of the
        outreach it answered) in one INSERT."""
        if outcome.language is not None and outcome.language is not participant.language:
            set_participant(session, participant.id, language=outcome.language)
        if outcome.consent is not None and outcome.consent is not participant.consent_state:
            action = ConsentAction.OPT_OUT if outcome.consent is ConsentState.OPTED_OUT else ConsentAction.OPT_IN
            record_consent(
                session,
                participant.id,
                action,
                message.text,
                message.channel,
                message.provider_id,
                message.received_at,
                outcome.consent,
            )
            if outcome.consent is ConsentState.OPTED_OUT:
                cancel_queued(session, participant.id, "opted_out", message.received_at)
        source = FactSource(participant.id, message.id, message.received_at, contact_id)
        record_facts(session, [(fact, source) for fact in (*answered, *outcome.facts)])
        if message.media:
            # Only the provider's URLs so far: bot.documents fetches the files once this commits.
            media = [(item.url, item.content_type) for item in message.media]
            add_documents(session, participant.id, message.id, message.channel, media, message.received_at)

    def _answer_unknown_sender(
        self, session: Session, message: Stored, reply_status: MessageStatus
    ) -> tuple[OutgoingText, ...]:
        """One polite reply per unknown number or chat, with no programme details; staff see the list."""
        opting_out = keyword_in(message.text) is Keyword.OPT_OUT
        if not note_unknown_sender(session, message.channel, message.address, message.received_at, opting_out):
            return ()
        unknown = Reply("unknown_chat" if message.channel in LINKED_CHANNELS else "unknown_number")
        return self.reply(session, message, None, None, (unknown,), Language.ENGLISH, reply_status)

    def _link(
        self, session: Session, message: Stored, code: str, reply_status: MessageStatus
    ) -> tuple[OutgoingText, ...]:
        """ "/start <code>" from a chat: link it to the participant the counselor made the code for."""
        linking, participant_id = redeem_link_code(session, code, message.channel, message.address, message.received_at)
        if linking is not Linking.LINKED or participant_id is None:
            mark_processed(session, message.id, None, None, self._clock())
            # Kind, and in both languages: whoever holds a bad code is not known yet.
            refusal = _LINK_REFUSALS[linking]
            return self.reply(session, message, None, None, (refusal,), Language.ENGLISH, reply_status)
        participant = find_correspondent_by_id(session, participant_id, lock=True)
        assert participant is not None
        contact_id = current_contact(session, participant.id, message.channel, message.received_at)
        mark_processed(session, message.id, participant.id, contact_id, self._clock())
        linked = Reply("chat_linked", {"first_name": participant.first_name})
        return self.reply(session, message, participant.id, contact_id, (linked,), participant.language, reply_status)

    def reply(
        self,
        session: Session,
        message: Stored,
        participant_id: int | None,
        contact_id: int | None,
        replies: tuple[Reply, ...],
        language: Language,
        status: MessageStatus,
    ) -> tuple[OutgoingText, ...]:
        now = self._clock()
        bodies = [self._renderer.render(reply, language) for reply in replies]
        ids = add_outbound(
            session,
            [
                {
                    "participant_id": participant_id,
                    "contact_id": contact_id,
                    "channel": message.channel,
                    "address": message.address,
                    "body": body,
                    "status": status,
                    "in_reply_to_id": message.id,
                    "created_at": now,
                    "status_at": now,
                }
                for body in bodies
            ],
        )
        return tuple(OutgoingText(id_, message.address, body) for id_, body in zip(ids, bodies, strict=True))


def _still_idle(saved: SavedConversation | None, state: ConversationState) -> bool:
    """Whether the participant was idle and stays so, as they were: then their saved state is not
    written again. Only its time would change, and an idle state's time is read by nothing (the
    engine drops only a flow under way when stale; the dispatcher asks when a flow last moved)."""
    return (
        saved is not None
        and saved.flow == state.flow == IDLE_FLOW
        and saved.step == state.step
        and saved.data == state.data
    )


_START = re.compile(r"/start(?:@\w+)?\s+([A-Za-z0-9_-]{1,64})")


_LINK_REFUSALS = {
    Linking.USED: Reply("link_code_used"),
    Linking.EXPIRED: Reply("link_code_expired"),
    Linking.UNKNOWN: Reply("link_code_unknown"),
}


def link_code_in(text: str) -> str | None:
    """The code in "/start <code>", as Telegram sends it when a participant opens their link."""
    match = _START.fullmatch(text.strip())
    return match.group(1) if match else None
