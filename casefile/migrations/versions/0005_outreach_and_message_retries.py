"""outreach: the scheduler's rows, reply and pause columns, message retries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:50:31.332414
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_locks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_locks")),
    )
    op.create_table(
        "outreach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("occurrence", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.Enum("text", "task", name="outreachkind", native_enum=False, length=8), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("queued", "dispatched", "skipped", "cancelled", name="outreachstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_outreach_participant_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach")),
        sa.UniqueConstraint(
            "participant_id", "rule", "occurrence", name=op.f("uq_outreach_participant_id_rule_occurrence")
        ),
    )
    with op.batch_alter_table("outreach", schema=None) as batch_op:
        batch_op.create_index("ix_outreach_due", ["state", "due_at"], unique=False)

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outreach_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("retry_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_messages_outreach_id"), ["outreach_id"], unique=False)
        batch_op.create_index("ix_messages_status_retry", ["status", "retry_at"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_messages_outreach_id_outreach"), "outreach", ["outreach_id"], ["id"])

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_heard_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("check_in_day", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("exited_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("outreach_paused_until", sa.Date(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_participants_check_in_weekday"), "check_in_day BETWEEN 0 AND 6")
        batch_op.create_index("ix_participants_zone_status", ["time_zone", "status"], unique=False)
        batch_op.create_index("ix_participants_exited_on", ["exited_on"], unique=False)
        batch_op.create_index("ix_participants_enrolled_at", ["enrolled_at"], unique=False)

    # Disengagement counts from the last message a participant wrote: take it from the messages
    # already stored, or everyone enrolled before this revision would look silent since enrolment.
    op.execute(
        "UPDATE participants SET last_heard_at = (SELECT max(messages.created_at) FROM messages"
        " WHERE messages.participant_id = participants.id AND messages.direction = 'inbound')"
    )


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_participants_check_in_weekday"), type_="check")
        batch_op.drop_index("ix_participants_enrolled_at")
        batch_op.drop_index("ix_participants_exited_on")
        batch_op.drop_index("ix_participants_zone_status")
        batch_op.drop_column("outreach_paused_until")
        batch_op.drop_column("exited_on")
        batch_op.drop_column("check_in_day")
        batch_op.drop_column("last_heard_at")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_messages_outreach_id_outreach"), type_="foreignkey")
        batch_op.drop_index("ix_messages_status_retry")
        batch_op.drop_index(batch_op.f("ix_messages_outreach_id"))
        batch_op.drop_column("retry_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("outreach_id")

    with op.batch_alter_table("outreach", schema=None) as batch_op:
        batch_op.drop_index("ix_outreach_due")

    op.drop_table("outreach")
    op.drop_table("scheduler_locks")
