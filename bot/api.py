"""The counselors' JSON API under /api/: sign in, the note queue, review, addenda and export.

Authentication is a bearer token (`waypoint counselor token`, or POST /api/tokens) or the session
cookie that POST /api/session sets. Every answer is limited to what the signed-in counselor may see.
"""

import hmac
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from casefile.accounts import (
    SESSION_LIFETIME,
    SESSION_TOKEN_NAME,
    counselor_for_token,
    issue_token,
    revoke_secret,
    revoke_token,
    sign_in,
    tokens_of,
)
from casefile.case_notes import CaseNote
from casefile.people import Counselor
from casefile.vocabulary import NoteState
from console.session import (
    CSRF_HEADER,
    UNSAFE_METHODS,
    clear_session_cookie,
    client_address,
    csrf_token,
    foreign_origin,
    session_secret,
    set_session_cookie,
)
from notes import export, review
from notes.journal import JournalTypes, ParticipantName, load_journal_types, names_of

REFUSED = "Wrong email or password, or too many attempts: wait a few minutes and try again."
EXPORT_TYPES = {"journal": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8", "json": "application/json"}


class SignIn(BaseModel):
    email: str
    password: str


class SignedIn(BaseModel):
    token: str
    counselor: str
    role: str
    csrf: str = Field(description="Send it as X-CSRF-Token with cookie-authenticated POSTs and DELETEs.")


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class IssuedTokenOut(BaseModel):
    id: int
    token: str = Field(description="Shown once; only its hash is stored.")


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class NoteSummary(BaseModel):
    id: int
    participant_id: int
    #: For the counselor only (never in a text or a note's body): whose note, in the county's terms.
    participant_name: str
    case_number: str | None
    journal_type: str = Field(description="The CalSAWS Journal type suggested for this note")
    subject: str
    title: str
    contact_date: date
    state: NoteState
    drafted_at: datetime
    due_at: datetime
    late: bool
    problems: list[str]


class Source(BaseModel):
    element: str
    text: str
    message_ids: list[int]
    confirmed_by: list[int] = Field(default_factory=list, description="The participant's confirmation of it")


class SourceMessage(BaseModel):
    id: int
    direction: str
    channel: str
    body: str
    at: datetime


class Addendum(BaseModel):
    id: int
    counselor_id: int
    body: str
    created_at: datetime


class AuditEntry(BaseModel):
    action: str
    counselor_id: int | None
    at: datetime
    before: str | None
    after: str | None
    detail: str | None


class NoteDetail(NoteSummary):
    draft_body: str
    final_body: str | None
    edited: bool
    reviewed_by: int | None
    reviewed_at: datetime | None
    reject_reason: str | None
    sources: list[Source]
    messages: list[SourceMessage]
    addenda: list[Addendum]
    audit: list[AuditEntry]


class Approval(BaseModel):
    text: str | None = Field(None, description="The counselor's edit; omitted, the draft is approved as it stands.")


class Rejection(BaseModel):
    reason: str = Field(min_length=1)


class NewAddendum(BaseModel):
    text: str = Field(min_length=1)


#: Declared, so that the API's documentation (/docs) knows how to sign a request and can "Authorize";
#: not enforced here (auto_error off): a browser's session cookie is the other way in.
BEARER = HTTPBearer(auto_error=False, description="An API token (`waypoint counselor token`) or a session token")


def api_router(
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    public_url: str | None = None,
    journal_types: JournalTypes | None = None,
) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["case notes"])
    types = journal_types or load_journal_types()

    def database() -> Iterator[Session]:
        with sessions.begin() as session:
            yield session

    DbSession = Annotated[Session, Depends(database)]  # noqa: N806 (a type alias, named as one)

    def token_of(
        request: Request, bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None
    ) -> str:
        if bearer is not None and bearer.credentials:
            return bearer.credentials.strip()
        cookie = session_secret(request)
        if cookie:
            if request.method in UNSAFE_METHODS:
                _refuse_cross_site(request, cookie, public_url)
            return cookie
        raise HTTPException(401, "Sign in first: a bearer token or the session cookie.", {"WWW-Authenticate": "Bearer"})

    def current(session: DbSession, secret: Annotated[str, Depends(token_of)]) -> Counselor:
        counselor = counselor_for_token(session, secret, clock())
        if counselor is None:
            raise HTTPException(
                401, "The token is not valid (revoked or expired): sign in again.", {"WWW-Authenticate": "Bearer"}
            )
        return counselor

    SignedInCounselor = Annotated[Counselor, Depends(current)]  # noqa: N806 (a type alias, named as one)

    @router.post("/session", response_model=SignedIn, summary="Sign in with email and password")
    def start_session(credentials: SignIn, request: Request, response: Response) -> SignedIn:
        if foreign_origin(request, public_url):
            raise HTTPException(403, "Sign in from Waypoint's own pages.")
        # Its own transaction, committed even when sign-in fails: failures must count for throttling.
        with sessions.begin() as session:
            counselor = sign_in(session, credentials.email, credentials.password, clock(), client_address(request))
            issued = (
                issue_token(session, counselor, SESSION_TOKEN_NAME, clock(), SESSION_LIFETIME) if counselor else None
            )
            name, role = (counselor.display_name, counselor.role.value) if counselor else ("", "")
        if issued is None:
            raise HTTPException(401, REFUSED)
        set_session_cookie(request, response, issued.secret)
        return SignedIn(token=issued.secret, counselor=name, role=role, csrf=csrf_token(issued.secret))

    @router.delete("/session", status_code=204, summary="Sign out: the token presented stops working")
    def end_session(
        session: DbSession, secret: Annotated[str, Depends(token_of)], request: Request, response: Response
    ) -> None:
        revoke_secret(session, secret, clock())
        clear_session_cookie(request, response)

    @router.get("/tokens", response_model=list[TokenOut], summary="Your API tokens")
    def list_tokens(session: DbSession, me: SignedInCounselor) -> list[TokenOut]:
        return [TokenOut.model_validate(token, from_attributes=True) for token in tokens_of(session, me)]

    @router.post("/tokens", response_model=IssuedTokenOut, status_code=201, summary="A new API token")
    def new_token(body: NewToken, session: DbSession, me: SignedInCounselor) -> IssuedTokenOut:
        issued = issue_token(session, me, body.name, clock())
        return IssuedTokenOut(id=issued.id, token=issued.secret)

    @router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one of your tokens")
    def delete_token(token_id: int, session: DbSession, me: SignedInCounselor) -> None:
        if not revoke_token(session, me, token_id, clock()):
            raise HTTPException(404, "You have no live token with that id.")

    @router.get("/notes", response_model=list[NoteSummary], summary="Your queue, oldest first")
    def list_notes(
        session: DbSession,
        me: SignedInCounselor,
        state: NoteState | None = NoteState.DRAFT,
        participant_id: int | None = None,
    ) -> list[NoteSummary]:
        notes = review.queue(session, me, clock(), state, participant_id)
        names = names_of(session, {note.participant_id for note, _ in notes})
        return [_summary(note, late, names[note.participant_id], types) for note, late in notes]

    @router.get("/notes/export", summary="Approved notes of a date range: journal text, CSV or JSON")
    def export_notes(
        session: DbSession, me: SignedInCounselor, start: date, end: date, format: str = "journal"
    ) -> Response:
        if format not in EXPORT_TYPES:
            raise HTTPException(422, f"format must be one of {', '.join(EXPORT_TYPES)}")
        text = export.export_range(session, me, start, end, format, clock(), types)
        return Response(text, media_type=EXPORT_TYPES[format])

    @router.get("/notes/{note_id}", response_model=NoteDetail, summary="One note, with its sources and history")
    def show_note(note_id: int, session: DbSession, me: SignedInCounselor) -> NoteDetail:
        return _detail(session, _found(lambda: review.view(session, me, note_id, clock())), types)

    @router.get(
        "/notes/{note_id}/journal", response_class=PlainTextResponse, summary="An approved note as a journal entry"
    )
    def journal(note_id: int, session: DbSession, me: SignedInCounselor) -> str:
        entry = export.approved_note(session, me, note_id, types)
        if entry is None:
            _found(lambda: review.get(session, me, note_id))  # 404 when it is not one of theirs
            raise HTTPException(409, "Only an approved note can be exported.")
        review.record_export(session, me, [entry.note], "journal", clock())
        return export.journal_text(entry)

    @router.post("/notes/{note_id}/approve", response_model=NoteDetail, summary="Approve, as drafted or with your edit")
    def approve(note_id: int, body: Approval, session: DbSession, me: SignedInCounselor) -> NoteDetail:
        _found(lambda: review.approve(session, me, note_id, clock(), body.text))
        return _detail(session, review.view(session, me, note_id, clock()), types)

    @router.post("/notes/{note_id}/reject", response_model=NoteDetail, summary="Reject a draft, saying why")
    def reject(note_id: int, body: Rejection, session: DbSession, me: SignedInCounselor) -> NoteDetail:
        _found(lambda: review.reject(session, me, note_id, body.reason, clock()))
        return _detail(session, review.view(session, me, note_id, clock()), types)

    @router.post(
        "/notes/{note_id}/addenda",
        response_model=NoteDetail,
        status_code=201,
        summary="Add an addendum to an approved note",
    )
    def add_addendum(note_id: int, body: NewAddendum, session: DbSession, me: SignedInCounselor) -> NoteDetail:
        _found(lambda: review.add_addendum(session, me, note_id, body.text, clock()))
        return _detail(session, review.view(session, me, note_id, clock()), types)

    return router


def _refuse_cross_site(request: Request, secret: str, public_url: str | None) -> None:
    """A cookie-authenticated change needs the session's CSRF token or, failing that, an Origin
    header naming this site: a foreign Origin, or neither, is refused (403)."""
    if foreign_origin(request, public_url):
        raise HTTPException(403, "This request came from another site and was refused.")
    token = request.headers.get(CSRF_HEADER)
    if token is not None and hmac.compare_digest(token, csrf_token(secret)):
        return
    if token is None and request.headers.get("origin") is not None:
        return
    raise HTTPException(403, "Send the X-CSRF-Token that sign-in gave you, or use a bearer token.")


def _found(action: Callable[[], Any]) -> Any:
    """The review's refusals as HTTP answers: 404 for a note you cannot see, 409 for a refused action."""
    try:
        return action()
    except review.NoteNotFound:
        raise HTTPException(404, "No such note in your caseload.") from None
    except review.ReviewRefused as refused:
        raise HTTPException(409, str(refused)) from None


def _summary(note: CaseNote, late: bool, who: ParticipantName, types: JournalTypes) -> NoteSummary:
    return NoteSummary(
        id=note.id,
        participant_id=note.participant_id,
        participant_name=who.full_name,
        case_number=who.case_number,
        journal_type=types.of(note.subject),
        subject=note.subject,
        title=note.title,
        contact_date=note.contact_date,
        state=note.state,
        drafted_at=note.drafted_at,
        due_at=note.due_at,
        late=late,
        problems=note.problems,
    )


def _detail(session: Session, seen: review.NoteView, types: JournalTypes) -> NoteDetail:
    note = seen.note
    who = names_of(session, [note.participant_id])[note.participant_id]
    return NoteDetail(
        **_summary(note, seen.late, who, types).model_dump(),
        draft_body=note.draft_body,
        final_body=note.final_body,
        edited=note.edited,
        reviewed_by=note.reviewed_by,
        reviewed_at=note.reviewed_at,
        reject_reason=note.reject_reason,
        sources=[Source(**source) for source in note.sources],
        messages=[
            SourceMessage(id=m.id, direction=m.direction.value, channel=m.channel.value, body=m.body, at=m.created_at)
            for m in seen.messages
        ],
        addenda=[Addendum.model_validate(addendum, from_attributes=True) for addendum in seen.addenda],
        audit=[AuditEntry.model_validate(entry, from_attributes=True) for entry in seen.audit],
    )
