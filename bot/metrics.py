"""Prometheus metrics at /metrics (WAYPOINT_METRICS=true): what an operator watches.

Counts that live in the database (outbox depth, the counselors' queues) are read when scraped, each
from an index; what happens in this process (requests, latency, job runs) is counted as it happens.
With several workers each process reports its own requests; the database figures are the same in each.
"""

from collections.abc import Callable, Iterator
from datetime import datetime

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casefile.case_notes import CaseNote
from casefile.database import reading
from casefile.facts import EventRecord
from casefile.messages import Message
from casefile.outreach import Outreach, OutreachState
from casefile.vocabulary import MessageStatus, NoteState

#: Message states worth watching (each read from the status index): work waiting, and failures.
WATCHED = (MessageStatus.RECEIVED, MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.FAILED,
           MessageStatus.UNDELIVERED)


class Metrics:
    """One registry per app, so that tests (and several apps in one process) do not share counts."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "waypoint_http_requests", "HTTP requests by route and status", ["route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "waypoint_http_request_duration_seconds", "Time to answer, by route", ["route"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.batch_size = Histogram(
            "waypoint_inbound_batch_size", "Inbound texts stored and processed in one transaction",
            registry=self.registry, buckets=(1, 2, 4, 8, 16, 32),
        )
        self.job_runs = Counter("waypoint_job_runs", "Scheduler job runs by outcome", ["job", "outcome"],
                                registry=self.registry)
        self.job_seconds = Histogram("waypoint_job_duration_seconds", "Scheduler job run time", ["job"],
                                     registry=self.registry, buckets=(0.1, 0.5, 1, 5, 15, 60, 300))

    def observe_batch(self, texts: int) -> None:
        """How many inbound texts one write transaction took (bot.group_commit)."""
        self.batch_size.observe(texts)

    def observe_request(self, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def observe_job(self, job: str, seconds: float, ok: bool) -> None:
        self.job_runs.labels(job, "ok" if ok else "failed").inc()
        self.job_seconds.labels(job).observe(seconds)

    def watch_database(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.registry.register(_DatabaseCollector(sessions, clock))


class _DatabaseCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        # Counts over a county's tables take a while: read without SQLite's write lock, or every
        # scrape would hold up every message for as long.
        with reading(self.sessions) as session:
            messages = GaugeMetricFamily("waypoint_messages", "Messages by direction, channel and state",
                                         labels=["direction", "channel", "status"])
            rows = session.execute(
                select(Message.direction, Message.channel, Message.status, func.count())
                .where(Message.status.in_(WATCHED))
                .group_by(Message.direction, Message.channel, Message.status)
            )
            for direction, channel, status, count in rows:
                messages.add_metric([direction.value, channel.value, status.value], count)
            yield messages
            depth, oldest = session.execute(
                select(func.count(), func.min(Outreach.due_at)).where(
                    Outreach.state == OutreachState.QUEUED, Outreach.due_at <= now
                )
            ).one()
            yield GaugeMetricFamily("waypoint_outbox_due", "Outreach texts due and not yet sent", value=depth)
            age = (now - oldest.replace(tzinfo=now.tzinfo)).total_seconds() if oldest else 0.0
            yield GaugeMetricFamily("waypoint_outbox_oldest_due_age_seconds", "How late the oldest due text is",
                                    value=age)
            open_items = session.scalar(
                select(func.count()).where(EventRecord.needs_counselor, EventRecord.seen_at.is_(None))
            )
            yield GaugeMetricFamily("waypoint_needs_counselor_open", "Items waiting for a counselor",
                                    value=open_items or 0)
            waiting, late = session.execute(
                select(func.count(), func.count().filter(CaseNote.due_at <= now)).where(CaseNote.state == NoteState.DRAFT)
            ).one()
            drafts = GaugeMetricFamily("waypoint_note_drafts", "Drafted notes waiting for review", labels=["late"])
            drafts.add_metric(["false"], waiting - late)
            drafts.add_metric(["true"], late)
            yield drafts


def serve_metrics(app: FastAPI, metrics: Metrics) -> None:
    @app.get("/metrics", include_in_schema=False)
    def scrape() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
