"""addresses: linked chats, one-time link codes, the preferred channel

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:56:35.652699
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("sms", "telegram", "console", name="channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("disabled_reason", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_channel_addresses_participant_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_addresses")),
        sa.UniqueConstraint("channel", "address", name=op.f("uq_channel_addresses_channel_address")),
    )
    with op.batch_alter_table("channel_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_addresses_participant_id"), ["participant_id"], unique=False)

    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("sms", "telegram", "console", name="channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_link_codes_participant_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_codes")),
        sa.UniqueConstraint("code_sha256", name=op.f("uq_link_codes_code_sha256")),
    )
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_codes_participant_id"), ["participant_id"], unique=False)

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "preferred_channel",
                sa.Enum("sms", "telegram", "console", name="channel", native_enum=False, length=16),
                server_default="sms",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("preferred_channel")

    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_codes_participant_id"))

    op.drop_table("link_codes")
    with op.batch_alter_table("channel_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_addresses_participant_id"))

    op.drop_table("channel_addresses")
