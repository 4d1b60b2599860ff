"""What the sweep knows between its passes: whose situation changed, and when it last swept.

The sweep (scheduler/sweep.py) decides who is owed a text from participants' rows and their
outreach, goals and hours. After one whole pass, the next needs to look again only at those whose
rows changed since, and at those a moment crossed (quiet for N days, a check-in sent a day ago).
The changes are written by the database itself, by triggers (migration 0014) on every table the
sweep's decisions read, whichever code path wrote them: `sweep_changes` gets one row per change,
and a pass deletes the rows it saw once it has finished. `sweep_passes` records each pass that
finished, with the moment it swept at, so the next pass knows which moments it has to cover.
"""

from datetime import datetime

from sqlalchemy import Index, text
from sqlalchemy.orm import Mapped, mapped_column

from casefile.base import Base
from casefile.outreach import Outreach
from casefile.people import Participant


class SweepChange(Base):
    """A participant's row, or one the sweep reads of theirs, changed (written by a trigger)."""

    __tablename__ = "sweep_changes"
    # AUTOINCREMENT: an id is never used twice, so a pass deleting the ids it saw never deletes
    # a later change that happened to get the id of one already deleted.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    #: No foreign key: a log, read once and deleted; a participant removed since is simply not found.
    participant_id: Mapped[int]


class SweepPass(Base):
    """A pass of the sweep that finished: the moment it decided for, and whether it looked at everyone."""

    __tablename__ = "sweep_passes"

    id: Mapped[int] = mapped_column(primary_key=True)
    swept_at: Mapped[datetime]
    full: Mapped[bool]


# Moments the sweep looks for between two passes, as ranges on an index: who went quiet N days
# ago (their last contact; enrolment, already indexed, for those who never wrote), and whose
# outreach of a rule was sent or settled N days ago (a check-in not answered for a day, the gap
# before the next re-engagement text).
# Partial, so that no other statement of the sweep finds them useful for what they do not say: those
# never heard from are found by their enrolment (`IS NULL` cannot use the first), and a participant's
# own outreach by the unique key (a correlated count must not read every check-in sent in the county).
# The second also leaves out the rows the sweep inserts, all queued: nothing to keep up for them.
Index(
    "ix_participants_last_heard_at",
    Participant.last_heard_at,
    sqlite_where=text("last_heard_at IS NOT NULL"),
    postgresql_where=text("last_heard_at IS NOT NULL"),
)
Index(
    "ix_outreach_rule_state_at",
    Outreach.rule,
    Outreach.state_at,
    sqlite_where=text("state <> 'queued'"),
    postgresql_where=text("state <> 'queued'"),
)
