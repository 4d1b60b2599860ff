"""participants' case numbers (the county's case reference, for counselors only); when a contact
of unanswered outreach went into a monthly attempts log

Revision ID: 0013
Revises: 0006
Create Date: 2026-11-29 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as table:
        table.add_column(sa.Column("case_number", sa.String(length=32), nullable=True))
    with op.batch_alter_table("contacts") as table:
        table.add_column(sa.Column("attempts_logged_at", sa.DateTime(), nullable=True))
    # Contacts drafted before had a note each, outreach included: nothing of theirs is to log again.
    op.execute("UPDATE contacts SET attempts_logged_at = drafted_at WHERE drafted_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("contacts") as table:
        table.drop_column("attempts_logged_at")
    with op.batch_alter_table("participants") as table:
        table.drop_column("case_number")
