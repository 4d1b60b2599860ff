"""The console's plumbing: its settings, the Jinja2 pages, who is signed in, and posted forms.

Routes live in console/pages.py (what a counselor reads), console/actions.py (what they change)
and console/signin.py; `console_router` puts them together for bot/app.py to mount.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

import templates as templates_package
from casefile.accounts import counselor_for_token
from casefile.vocabulary import Role
from console.attention import open_count
from console.session import CSRF_FIELD, csrf_token, require_csrf, session_secret
from scheduler.office_hours import OfficeHours
from scheduler.timing import Calendar

TEMPLATES = Jinja2Templates(directory=Path(templates_package.__file__).parent / "web")


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment as a counselor reads it, on the clock given: "Mar 2, 9:05 AM"."""
    if moment is None:
        return "never"
    local = moment.astimezone(zone)
    day = f"{local:%b} {local.day}" + (f", {local.year}" if local.year != datetime.now(zone).year else "")
    return f"{day}, {local:%-I:%M %p}"


TEMPLATES.env.filters["when"] = _when
STATIC = Path(__file__).with_name("static")
#: A console form is a few fields and at most a text message: anything bigger is not ours.
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: the dependencies are cached per config
class ConsoleConfig:
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    calendar: Calendar
    #: The county's zone: the caseload's "this week" runs Monday to Sunday there.
    time_zone: str
    public_url: str | None
    documents_dir: Path
    telegram_bot_username: str | None
    #: Sends what is queued now (the dispatcher's pass), run after a counselor's text is recorded.
    send_pending: Callable[[], object]
    #: When counselors answer: a supervisor is alerted to a safety concern not handled in a business hour.
    office: OfficeHours | None = None


@dataclass(frozen=True)
class Viewer:
    """The signed-in counselor, as the pages need them."""

    counselor_id: int
    name: str
    secret: str
    #: A supervisor sees their unit's page (the header links it).
    supervisor: bool = False

    @property
    def csrf(self) -> str:
        return csrf_token(self.secret)


class SignInFirst(Exception):
    """Raised by a page when nobody (or a disabled account, or an ended session) is signed in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@cache
def database(config: ConsoleConfig) -> Callable[[], Iterator[Session]]:
    """One transaction per request (the same object every time, so FastAPI shares it in a request)."""

    def open_session() -> Iterator[Session]:
        with config.sessions.begin() as session:
            yield session

    return open_session


@cache
def viewer_dependency(config: ConsoleConfig) -> Callable[..., Viewer]:
    def viewer(request: Request, session: Annotated[Session, Depends(database(config), scope="function")]) -> Viewer:
        secret = session_secret(request)
        counselor = counselor_for_token(session, secret, config.clock()) if secret else None
        if secret is None or counselor is None:
            raise SignInFirst(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return Viewer(counselor.id, counselor.display_name, secret, counselor.role is Role.SUPERVISOR)

    return viewer


async def posted_form(request: Request) -> dict[str, str]:
    """A posted urlencoded form, refused (413) past MAX_FORM_BYTES before it is read whole."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise HTTPException(413, "That form is too large.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "That form is too large.")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


@cache
def acting_dependency(config: ConsoleConfig) -> Callable[..., Viewer]:
    """The signed-in counselor of a POST, once its CSRF token and Origin are checked."""
    page_viewer = viewer_dependency(config)

    def acting(
        request: Request,
        viewer: Annotated[Viewer, Depends(page_viewer)],
        form: Annotated[dict[str, str], Depends(posted_form)],
    ) -> Viewer:
        require_csrf(request, viewer.secret, form.get(CSRF_FIELD), config.public_url)
        return viewer

    return acting


def render(
    request: Request,
    config: ConsoleConfig,
    session: Session | None,
    viewer: Viewer | None,
    name: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page: the counselor's name and open-item count in the header of every page."""
    count, urgent = open_count(session, viewer.counselor_id) if session is not None and viewer else (0, 0)
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "viewer": viewer,
            "open_count": count,
            "urgent_count": urgent,
            "csrf_field": CSRF_FIELD,
            "zone": ZoneInfo(config.time_zone),
            "notice": request.query_params.get("notice", "")[:300],
            "error": request.query_params.get("error", "")[:300],
            **context,
        },
        status_code=status,
    )
    no_store(response)
    return response


def no_store(response: Response) -> None:
    """Case files stay out of shared caches and the browser's back-forward history on disk."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    )


def sign_in_url(next_path: str) -> str:
    return "/signin?next=" + quote(next_path, safe="/")


def safe_next(next_path: str | None, default: str = "/caseload") -> str:
    """Only a path on this site: never an address elsewhere (an open redirect)."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//") or "\\" in next_path:
        return default
    return next_path
