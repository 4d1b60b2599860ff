"""hours: timesheet entries, documents received, reporting period and plan activities

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:22:17.445292
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("sms", "telegram", "console", name="channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum("waiting", "stored", "failed", name="documentstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_documents_message_id_messages")),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_documents_participant_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index("ix_documents_status_next_attempt", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "timesheet_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("whole_week", sa.Boolean(), nullable=False),
        sa.Column(
            "activity",
            sa.Enum(
                "employment",
                "job_search",
                "vocational_training",
                "work_experience",
                "education",
                "community_service",
                "other",
                name="activity",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("hours", sa.Double(), nullable=False),
        sa.Column(
            "excuse",
            sa.Enum("sick", "child_sick", "holiday", "appointment", name="excuse", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column(
            "state",
            sa.Enum("draft", "confirmed", "unconfirmed", "replaced", name="entrystate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("corrected_message_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_message_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_message_id"], ["messages.id"], name=op.f("fk_timesheet_entries_confirmed_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["corrected_message_id"], ["messages.id"], name=op.f("fk_timesheet_entries_corrected_message_id_messages")
        ),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_timesheet_entries_message_id_messages")),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_timesheet_entries_participant_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timesheet_entries")),
    )
    with op.batch_alter_table("timesheet_entries", schema=None) as batch_op:
        batch_op.create_index("ix_timesheet_participant_day", ["participant_id", "day"], unique=False)

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reporting_period",
                sa.Enum("weekly", "biweekly", "monthly", name="reportingperiod", native_enum=False, length=16),
                server_default="weekly",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("activities", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("activities")
        batch_op.drop_column("reporting_period")

    with op.batch_alter_table("timesheet_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_timesheet_participant_day")

    op.drop_table("timesheet_entries")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_status_next_attempt")
        batch_op.drop_index(batch_op.f("ix_documents_participant_id"))
        batch_op.drop_index(batch_op.f("ix_documents_message_id"))

    op.drop_table("documents")
