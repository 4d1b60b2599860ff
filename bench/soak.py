"""Soak: the signed SMS webhook under steady load, with the dispatcher running, both killed once.

    python bench/soak.py [--seconds 600] [--rate 300] [--participants 2000]

`waypoint serve --no-scheduler` and a dispatcher process (a `Service.dispatch` pass every half
second) share a fresh SQLite file (or --database-url); Twilio is the fake on 127.0.0.1 (it takes
every text). The driver posts signed texts at --rate a second: 1% malformed (a forged signature, a
missing sender), 1% repeats of a text already posted, STOPs mixed in (0.5%), the rest real words.
Every participant has an outreach text due. At 1/3 of the run the dispatcher is killed with
SIGKILL and restarted; at 2/3 the web process is. Afterwards it prints what was offered and
answered, then the checks: every accepted text stored exactly once, every reply and outreach sent
at most once, none after a STOP. The full 10 minutes is for the bench; --seconds 20 is a smoke run.
"""

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "soak-auth-token"
ACCOUNT = "AC" + "5" * 32
PUBLIC_URL = "https://waypoint.example.org"
WORDS = ["hi", "menu", "1", "2", "8 hrs today", "yes", "HELP", "3", "my car broke down", "what is this?", "gracias"]


def seed(database_url: str, participants: int) -> list[str]:
    from bot.app import build_service
    from bot.settings import Settings
    from casefile.enrolment import add_counselor, enrol_participant
    from casefile.migrate import upgrade
    from casefile.outreach import Outreach, OutreachState
    from casefile.vocabulary import ConsentState, FamilyType, Language

    service = build_service(Settings(database_url=database_url))
    upgrade(service.engine)
    now = datetime.now(UTC)
    # A zone where it is midday, so that outreach may go whenever the soak runs.
    zone = f"Etc/GMT{now.hour - 12:+d}" if now.hour != 12 else "Etc/GMT"
    phones = [f"+1510556{i:04d}" for i in range(participants)]
    with service.sessions.begin() as session:
        counselor = add_counselor(session, "Dana", "Lee", "dana@example.org", "+15105550199", now)
        for i, phone in enumerate(phones):
            person = enrol_participant(
                session,
                first_name=f"P{i}",
                last_name="Soak",
                phone=phone,
                language=Language.SPANISH if i % 3 == 0 else Language.ENGLISH,
                time_zone=zone,
                counselor=counselor,
                family_type=FamilyType.ONE_PARENT,
                plan_hours=None,
                consent_note="soak",
                at=now - timedelta(days=3),
            )
            person.consent_state = ConsentState.CONFIRMED
            session.flush()
            session.add(
                Outreach(
                    participant_id=person.id,
                    rule="check_in",
                    occurrence=now.date().isoformat() + "+0",
                    kind="text",
                    template="outreach_check_in",
                    due_at=now,
                    state=OutreachState.QUEUED,
                    body=None,
                    created_at=now,
                    state_at=now,
                )
            )
    service.close()
    return phones


def dispatch_forever() -> None:
    """The dispatcher process: a pass every half second, as `waypoint serve`'s job would."""
    from bot.app import build_service
    from bot.settings import Settings

    service = build_service(Settings.from_env())
    while True:
        service.dispatch()
        time.sleep(0.5)


class Driver:
    """Posts signed texts at a steady rate and remembers what each answer was."""

    def __init__(self, url: str, phones: list[str], rate: float, seed: int = 16) -> None:
        self.url = url
        self.phones = phones
        self.rate = rate
        self.rng = random.Random(seed)
        self.validator = RequestValidator(TOKEN)
        self.posted: list[dict[str, str]] = []
        #: MessageSid → the status codes its posts were answered with.
        self.answers: dict[str, list[int]] = {}
        self.offered: Counter[str] = Counter()
        self.inline_replies = 0
        self.stopped: set[str] = set()

    def next_form(self, n: int) -> tuple[str, dict[str, str], dict[str, str]]:
        roll = self.rng.random()
        if roll < 0.01 and self.posted:
            form = self.rng.choice(self.posted)
            kind = "duplicate"
        else:
            phone = self.rng.choice(self.phones)
            stop = roll > 0.995
            form = {
                "MessageSid": f"SM{n:032x}",
                "AccountSid": ACCOUNT,
                "From": phone,
                "To": "+15105559999",
                "Body": "STOP" if stop else self.rng.choice(WORDS),
                "NumMedia": "0",
            }
            kind = "stop" if stop else "text"
            if 0.01 <= roll < 0.02:
                kind = "malformed"
                if roll < 0.015:
                    form = {k: v for k, v in form.items() if k != "From"}
        signature = self.validator.compute_signature(PUBLIC_URL + "/sms/twilio", form)
        if kind == "malformed" and "From" in form:
            signature = "forged" + signature[6:]
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
        return kind, form, headers

    async def run(self, seconds: float) -> None:
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
        async with httpx.AsyncClient(limits=limits, timeout=20) as client:
            tasks: set[asyncio.Task[None]] = set()
            started = time.monotonic()
            n = 0
            while (elapsed := time.monotonic() - started) < seconds:
                due = int(elapsed * self.rate)
                while n < due:
                    task = asyncio.create_task(self.post(client, *self.next_form(n)))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    n += 1
                await asyncio.sleep(0.005)
            if tasks:
                await asyncio.gather(*tasks)

    async def post(self, client: httpx.AsyncClient, kind: str, form: dict[str, str], headers: dict[str, str]) -> None:
        self.offered[kind] += 1
        if kind in ("text", "stop"):
            self.posted.append(form)
        try:
            response = await client.post(self.url, content=urlencode(form).encode(), headers=headers)
            status = response.status_code
        except httpx.HTTPError:
            status = 0  # the web process was down (killed, restarting)
        if kind != "malformed":
            self.answers.setdefault(form["MessageSid"], []).append(status)
        if status == 200:
            self.inline_replies += response.text.count("<Message")


def start_web(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot.cli", "serve", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the web process did not start")


def start_dispatcher(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(Path(__file__)), "--dispatcher"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def check(database_url: str, driver: Driver, created: list[tuple[str, str, datetime]]) -> dict[str, int]:
    """What the database and the fake Twilio hold, against what the driver saw."""
    from sqlalchemy import func, select

    from bot.app import build_service
    from bot.settings import Settings
    from casefile.consent import ConsentEvent
    from casefile.messages import Message
    from casefile.people import Participant
    from casefile.vocabulary import ConsentAction, Direction

    service = build_service(Settings(database_url=database_url))
    with service.sessions.begin() as session:
        stored = Counter(
            session.scalars(select(Message.provider_id).where(Message.direction == Direction.INBOUND)).all()
        )
        accepted = {sid for sid, statuses in driver.answers.items() if 200 in statuses}
        sent_rest = session.scalar(
            select(func.count(Message.id)).where(
                Message.direction == Direction.OUTBOUND, Message.provider_id.is_not(None)
            )
        )
        opted_out = dict(
            session.execute(
                select(Participant.phone, func.max(ConsentEvent.occurred_at))
                .join(ConsentEvent, ConsentEvent.participant_id == Participant.id)
                .where(ConsentEvent.action == ConsentAction.OPT_OUT)
                .group_by(Participant.phone)
            ).all()
        )
        stopped_by = {phone for phone, _ in opted_out.items()}
    service.close()
    by_body_and_number = Counter((to, body) for to, body, _ in created)
    after_stop = sum(
        1 for to, _, at in created if to in stopped_by and at > opted_out[to].replace(tzinfo=UTC) + timedelta(seconds=1)
    )
    return {
        "accepted (answered 200)": len(accepted),
        "accepted and stored": sum(1 for sid in accepted if stored[sid] == 1),
        "accepted, not stored": sum(1 for sid in accepted if stored[sid] == 0),
        "stored more than once": sum(1 for count in stored.values() if count > 1),
        "answered 503 / refused, then stored anyway": sum(
            1 for sid, statuses in driver.answers.items() if 200 not in statuses and stored[sid] == 1
        ),
        "texts at Twilio (REST)": len(created),
        "outbound rows with Twilio's id": int(sent_rest or 0),
        "same text twice to one number at Twilio": sum(1 for count in by_body_and_number.values() if count > 1),
        "participants who texted STOP": len(stopped_by),
        "texts at Twilio after a STOP": after_stop,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8716)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--dispatcher", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dispatcher:
        dispatch_forever()
        return
    from tests.fake_twilio import run_fake_twilio

    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{Path(folder) / 'soak.sqlite3'}"
        phones = seed(database_url, args.participants)
        fake_server = run_fake_twilio()
        twilio = next(fake_server)
        env = {
            **os.environ,
            "WAYPOINT_DATABASE_URL": database_url,
            "WAYPOINT_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_FROM_NUMBER": "+15105559999",
            "WAYPOINT_TWILIO_API_BASE_URL": twilio.url,
            "WAYPOINT_SMS_PER_SECOND": "100",
            "WAYPOINT_DOCUMENTS_DIR": str(Path(folder) / "documents"),
        }
        web = start_web(env, args.port)
        dispatcher = start_dispatcher(env)
        driver = Driver(f"http://127.0.0.1:{args.port}/sms/twilio", phones, args.rate)

        restarts: list[float] = []

        async def soak() -> None:
            run = asyncio.create_task(driver.run(args.seconds))
            nonlocal dispatcher, web
            await asyncio.sleep(args.seconds / 3)
            kill(dispatcher)
            dispatcher = start_dispatcher(env)
            await asyncio.sleep(args.seconds / 3)
            kill(web)
            down = time.monotonic()
            web = await asyncio.to_thread(start_web, env, args.port)
            restarts.append(time.monotonic() - down)
            await run

        started = time.monotonic()
        asyncio.run(soak())
        elapsed = time.monotonic() - started
        time.sleep(5)  # the dispatcher's last passes
        kill(dispatcher)
        web.send_signal(signal.SIGTERM)
        web.wait()
        with twilio.lock:
            created = [(held.to, held.body, held.created) for held in twilio.created]
        figures = check(database_url, driver, created)
        next(fake_server, None)
    offered = sum(driver.offered.values())
    print(
        f"{elapsed:.0f} s at {args.rate:.0f} msg/s asked, {offered / elapsed:.0f} msg/s offered; "
        f"{args.participants} participants; dispatcher and web process each killed (SIGKILL) once"
    )
    print(f"the web process answered again {restarts[0]:.1f} s after its kill")
    print("offered: " + ", ".join(f"{kind} {count}" for kind, count in sorted(driver.offered.items())))
    answers = Counter(status for statuses in driver.answers.values() for status in statuses)
    print("answers: " + ", ".join(f"{status or 'no answer'}: {count}" for status, count in sorted(answers.items())))
    print(f"inline replies received: {driver.inline_replies}")
    for name, value in figures.items():
        print(f"{name:45} {value:>8}")


if __name__ == "__main__":
    main()
