"""console: who handled a queue item, unread transcripts, disabled counselors, per-address throttling

Revision ID: 0011
Revises: 0006
Create Date: 2026-11-29 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_address_failures",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_sign_in_address_failures")),
    )
    with op.batch_alter_table("counselors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transcript_read_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_events_seen_by_counselors"), "counselors", ["seen_by"], ["id"])
        # The caseload counts each participant's open items: an index of only the open ones stays small.
        batch_op.create_index(
            "ix_events_open_items",
            ["participant_id"],
            unique=False,
            sqlite_where=sa.text("needs_counselor AND seen_at IS NULL"),
            postgresql_where=sa.text("needs_counselor AND seen_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_open_items")
        batch_op.drop_constraint(batch_op.f("fk_events_seen_by_counselors"), type_="foreignkey")
        batch_op.drop_column("seen_by")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("transcript_read_at")
    with op.batch_alter_table("counselors", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")
    op.drop_table("sign_in_address_failures")
