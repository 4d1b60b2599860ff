"""The counselor-facing surfaces: the web console (sign-in, caseload, needs-me queue, participant
pages, texting) and the browser sessions the /api JSON shares with it."""

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from console.actions import actions_router
from console.enrolment import enrolment_router
from console.handoffs import handoffs_router
from console.pages import pages_router
from console.review import review_router
from console.signin import signin_router
from console.supervisor import supervisor_router
from console.web import STATIC, ConsoleConfig, SignInFirst, sign_in_url


def mount_console(app: FastAPI, config: ConsoleConfig) -> None:
    """Add the console's pages, actions and static files to the app."""
    app.include_router(signin_router(config))
    # Before the pages: /participants/new is not a participant's id.
    app.include_router(enrolment_router(config))
    app.include_router(pages_router(config))
    app.include_router(actions_router(config))
    app.include_router(review_router(config))
    app.include_router(handoffs_router(config))
    app.include_router(supervisor_router(config))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInFirst)
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    app.add_exception_handler(SignInFirst, sign_in_first)


__all__ = ["ConsoleConfig", "mount_console"]
