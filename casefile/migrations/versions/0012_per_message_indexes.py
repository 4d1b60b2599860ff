"""per-message indexes: one participant's outreach by state

Revision ID: 0012
Revises: 0006
Create Date: 2026-11-29 09:10:00

A reply marks the participant's sent outreach answered and cancels what re-engagement still had
queued for them (casefile/outreach.py, note_reply), and an opt-out cancels everything queued.
Without this index SQLite answered those UPDATEs from ix_outreach_due (state, due_at): every sent
text in the county, 270-294 ms a message at 100k participants (issue 19).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outreach_participant_state", "outreach", ["participant_id", "state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outreach_participant_state", table_name="outreach")
