"""goals and their steps: the active goal a participant works on, and its dated steps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:18:12.435886
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column(
            "status", sa.Enum("active", "reached", name="goalstatus", native_enum=False, length=16), nullable=False
        ),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("reached_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_goals_message_id_messages")),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_goals_participant_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goals_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(
            "uq_goals_one_active",
            ["participant_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "goal_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "status", sa.Enum("pending", "done", name="stepstatus", native_enum=False, length=16), nullable=False
        ),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_goal_steps_goal_id_goals")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_goal_steps_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_steps")),
    )
    with op.batch_alter_table("goal_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_steps_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index("ix_goal_steps_status_due", ["status", "due_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("goal_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_goal_steps_status_due")
        batch_op.drop_index(batch_op.f("ix_goal_steps_goal_id"))

    op.drop_table("goal_steps")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_goals_one_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_goals_participant_id"))

    op.drop_table("goals")
