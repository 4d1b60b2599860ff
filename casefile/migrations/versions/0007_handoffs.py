"""handoffs: a participant handed to a person, alerts to counselors, counselors' work phones

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("counselors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_phone", sa.String(length=20), nullable=True))
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum("safety", "person_requested", "not_understood", name="handoffreason", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("resources_contact_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["closed_by"], ["counselors.id"], name=op.f("fk_handoffs_closed_by_counselors")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_handoffs_contact_id_contacts")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_handoffs_message_id_messages")),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_handoffs_participant_id_participants")
        ),
        sa.ForeignKeyConstraint(
            ["resources_contact_id"], ["contacts.id"], name=op.f("fk_handoffs_resources_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index("ix_handoffs_closed_at", ["closed_at"], unique=False)
        batch_op.create_index(
            "uq_handoffs_open_participant",
            ["participant_id"],
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
    op.create_table(
        "handoff_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("retry_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["counselors.id"], name=op.f("fk_handoff_alerts_counselor_id_counselors")
        ),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], name=op.f("fk_handoff_alerts_handoff_id_handoffs")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_handoff_alerts_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_alerts")),
        sa.UniqueConstraint("handoff_id", "level", "channel", name=op.f("uq_handoff_alerts_handoff_id_level_channel")),
    )


def downgrade() -> None:
    op.drop_table("handoff_alerts")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index("uq_handoffs_open_participant", sqlite_where=sa.text("closed_at IS NULL"))
        batch_op.drop_index("ix_handoffs_closed_at")
    op.drop_table("handoffs")
    with op.batch_alter_table("counselors", schema=None) as batch_op:
        batch_op.drop_column("work_phone")
