"""what the sweep knows between passes: a log of changes written by triggers, its finished passes,
and indexes on the moments it looks for between two passes

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: What the sweep's decisions read (scheduler/sweep.py, disengaged.py, audience.py): a change to
#: any of it may make a participant owed a text. Each entry: the trigger, its table, the events,
#: the participant's id in the row, and a condition. Outreach inserted QUEUED is left out: a
#: queued row only ever takes someone off what is owed (it is the sweep's own work, ~300k rows a
#: day at 1M); once it is sent, skipped or cancelled, the UPDATE is logged.
_PARTICIPANT_COLUMNS = (
    "time_zone, status, consent_state, outreach_paused_until, enrolled_at, last_heard_at, "
    "check_in_day, exited_on, reporting_period"
)
_STEP_OWNER = "(SELECT participant_id FROM goals WHERE goals.id = {row}.goal_id)"
_TRIGGERS = [
    ("sweep_participant_new", "participants", "INSERT", "NEW.id", None),
    ("sweep_participant_changed", "participants", f"UPDATE OF {_PARTICIPANT_COLUMNS}", "NEW.id", None),
    ("sweep_outreach_new", "outreach", "INSERT", "NEW.participant_id", "NEW.state <> 'queued'"),
    ("sweep_outreach_settled", "outreach", "UPDATE OF state, participant_id", "NEW.participant_id", None),
    ("sweep_outreach_gone", "outreach", "DELETE", "OLD.participant_id", None),
    ("sweep_goal_new", "goals", "INSERT", "NEW.participant_id", None),
    ("sweep_goal_changed", "goals", "UPDATE OF status, participant_id", "NEW.participant_id", None),
    ("sweep_goal_gone", "goals", "DELETE", "OLD.participant_id", None),
    ("sweep_step_new", "goal_steps", "INSERT", _STEP_OWNER.format(row="NEW"), None),
    ("sweep_step_changed", "goal_steps", "UPDATE OF status, due_date, goal_id", _STEP_OWNER.format(row="NEW"), None),
    ("sweep_step_gone", "goal_steps", "DELETE", _STEP_OWNER.format(row="OLD"), None),
    ("sweep_hours_new", "timesheet_entries", "INSERT", "NEW.participant_id", None),
    ("sweep_hours_changed", "timesheet_entries", "UPDATE OF state, day, participant_id", "NEW.participant_id", None),
    ("sweep_hours_gone", "timesheet_entries", "DELETE", "OLD.participant_id", None),
]


def upgrade() -> None:
    op.create_table(
        "sweep_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_changes")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sweep_passes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("swept_at", sa.DateTime(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_passes")),
    )
    heard = sa.text("last_heard_at IS NOT NULL")
    op.create_index(
        "ix_participants_last_heard_at", "participants", ["last_heard_at"], sqlite_where=heard, postgresql_where=heard
    )
    settled = sa.text("state <> 'queued'")
    op.create_index(
        "ix_outreach_rule_state_at", "outreach", ["rule", "state_at"], sqlite_where=settled, postgresql_where=settled
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, events, participant, condition in _TRIGGERS:
        if postgres:
            # A function a trigger, since each finds the participant in its own row.
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO sweep_changes (participant_id) SELECT {participant} WHERE {participant} IS NOT NULL; "
                "RETURN NULL; END $$"
            )
            when = f"WHEN ({condition}) " if condition else ""
            op.execute(f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW {when}EXECUTE FUNCTION {name}()")
        else:
            when = f"WHEN {condition} " if condition else ""
            op.execute(
                f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW {when}BEGIN "
                f"INSERT INTO sweep_changes (participant_id) SELECT {participant} WHERE {participant} IS NOT NULL; END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, *_ in _TRIGGERS:
        op.execute(f"DROP TRIGGER {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_index("ix_outreach_rule_state_at", table_name="outreach")
    op.drop_index("ix_participants_last_heard_at", table_name="participants")
    op.drop_table("sweep_passes")
    op.drop_table("sweep_changes")
