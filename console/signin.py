"""Sign in, sign out and change your password: the console's account pages."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from casefile.accounts import (
    MIN_PASSWORD_LENGTH,
    SESSION_LIFETIME,
    SESSION_TOKEN_NAME,
    change_password,
    issue_token,
    revoke_secret,
    sign_in,
)
from casefile.people import Counselor
from console.session import (
    clear_session_cookie,
    client_address,
    foreign_origin,
    new_sign_in_token,
    set_session_cookie,
    set_sign_in_cookie,
    sign_in_token_matches,
)
from console.web import (
    ConsoleConfig,
    Viewer,
    acting_dependency,
    database,
    posted_form,
    render,
    safe_next,
    viewer_dependency,
)

#: One answer for an unknown email, a wrong password, a disabled account and throttling alike.
REFUSED = "That email and password did not work, or there were too many tries: wait a few minutes and try again."


def signin_router(config: ConsoleConfig) -> APIRouter:
    router = APIRouter()
    acting = acting_dependency(config)
    viewer = viewer_dependency(config)
    open_db = database(config)

    def sign_in_page(
        request: Request, next_path: str, error: str | None, email: str = "", status: int = 200
    ) -> Response:
        token = new_sign_in_token()
        response = render(
            request,
            config,
            None,
            None,
            "signin.html",
            status,
            next=safe_next(next_path),
            error=error,
            email=email,
            sign_in_token=token,
            signed_out="signed_out" in request.query_params,
        )
        set_sign_in_cookie(request, response, token)
        return response

    @router.get("/signin", include_in_schema=False)
    def signin_form(request: Request, next: str = "/caseload") -> Response:
        return sign_in_page(request, next, None)

    @router.post("/signin", include_in_schema=False)
    def signin(request: Request, form: Annotated[dict[str, str], Depends(posted_form)]) -> Response:
        if foreign_origin(request, config.public_url) or not sign_in_token_matches(request, form.get("sign_in")):
            return sign_in_page(
                request, form.get("next", ""), "The sign-in form had expired: please try again.", status=403
            )
        email = form.get("email", "")
        # Its own transaction, committed even when sign-in fails: failures must count for throttling.
        with config.sessions.begin() as session:
            counselor = sign_in(session, email, form.get("password", ""), config.clock(), client_address(request))
            issued = (
                issue_token(session, counselor, SESSION_TOKEN_NAME, config.clock(), SESSION_LIFETIME)
                if counselor
                else None
            )
        if issued is None:
            return sign_in_page(request, form.get("next", ""), REFUSED, email=email, status=401)
        # A new secret at every sign-in: a cookie planted before it is worthless after.
        response = RedirectResponse(safe_next(form.get("next")), status_code=303)
        set_session_cookie(request, response, issued.secret)
        return response

    @router.post("/signout", include_in_schema=False)
    def signout(
        request: Request,
        me: Annotated[Viewer, Depends(acting)],
        session: Annotated[Session, Depends(open_db, scope="function")],
    ) -> Response:
        revoke_secret(session, me.secret, config.clock())
        response = RedirectResponse("/signin?signed_out=1", status_code=303)
        clear_session_cookie(request, response)
        return response

    @router.get("/account/password", include_in_schema=False)
    def password_form(
        request: Request,
        me: Annotated[Viewer, Depends(viewer)],
        session: Annotated[Session, Depends(open_db, scope="function")],
    ) -> Response:
        return render(request, config, session, me, "password.html", minimum=MIN_PASSWORD_LENGTH)

    @router.post("/account/password", include_in_schema=False)
    def password_change(
        request: Request,
        me: Annotated[Viewer, Depends(acting)],
        form: Annotated[dict[str, str], Depends(posted_form)],
        session: Annotated[Session, Depends(open_db, scope="function")],
    ) -> Response:
        counselor = session.get_one(Counselor, me.counselor_id)
        new = form.get("new_password", "")
        error = None
        if new != form.get("confirm_password", ""):
            error = "The two new passwords are not the same."
        else:
            try:
                if not change_password(
                    session, counselor, form.get("current_password", ""), new, me.secret, config.clock()
                ):
                    error = "Your current password was not right."
            except ValueError:
                error = f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
        if error:
            return render(request, config, session, me, "password.html", 400, minimum=MIN_PASSWORD_LENGTH, error=error)
        return render(
            request,
            config,
            session,
            me,
            "password.html",
            minimum=MIN_PASSWORD_LENGTH,
            notice="Password changed. You were signed out everywhere else.",
        )

    return router
