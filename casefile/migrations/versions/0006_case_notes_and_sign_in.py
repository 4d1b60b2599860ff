"""case notes, their review and audit; counselor sign-in

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 03:35:12.757467
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_sign_in_failures")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["counselors.id"], name=op.f("fk_api_tokens_counselor_id_counselors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_counselor_id"), ["counselor_id"], unique=False)

    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=24), nullable=False),
        sa.Column("occurrence", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("draft_body", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("draft", "approved", "rejected", name="notestate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("drafted_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("final_body", sa.Text(), nullable=True),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_case_notes_contact_id_contacts")),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_case_notes_participant_id_participants")
        ),
        sa.ForeignKeyConstraint(["reviewed_by"], ["counselors.id"], name=op.f("fk_case_notes_reviewed_by_counselors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
        sa.UniqueConstraint(
            "participant_id", "subject", "occurrence", name=op.f("uq_case_notes_participant_id_subject_occurrence")
        ),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index("ix_case_notes_participant", ["participant_id", "state"], unique=False)
        batch_op.create_index("ix_case_notes_queue", ["state", "drafted_at"], unique=False)

    op.create_table(
        "note_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["counselors.id"], name=op.f("fk_note_addenda_counselor_id_counselors")
        ),
        sa.ForeignKeyConstraint(["note_id"], ["case_notes.id"], name=op.f("fk_note_addenda_note_id_case_notes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_addenda")),
    )
    with op.batch_alter_table("note_addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_addenda_note_id"), ["note_id"], unique=False)

    op.create_table(
        "note_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("counselor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["counselors.id"], name=op.f("fk_note_audit_counselor_id_counselors")
        ),
        sa.ForeignKeyConstraint(["note_id"], ["case_notes.id"], name=op.f("fk_note_audit_note_id_case_notes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_audit")),
    )
    with op.batch_alter_table("note_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_audit_note_id"), ["note_id"], unique=False)

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drafted_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_contacts_quiet", ["closed_at", "last_message_at"], unique=False)
        batch_op.create_index("ix_contacts_to_draft", ["drafted_at", "closed_at"], unique=False)

    with op.batch_alter_table("counselors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "role",
                sa.Enum("counselor", "supervisor", name="role", native_enum=False, length=16),
                server_default="counselor",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("unit", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))

    _create_record_keepers()


# The case record is kept whole by the database, not only by the code that usually writes to it:
# a reviewed note (approved or rejected) cannot be changed or deleted, nor can addenda or audit rows.
_REVIEWED = "a reviewed case note cannot be changed or deleted: add an addendum"
_APPEND_ONLY = "addenda and the audit trail cannot be changed or deleted"
_GUARDS = [
    ("case_notes_reviewed_are_final", "case_notes", "UPDATE", "OLD.state <> 'draft'", _REVIEWED),
    ("case_notes_reviewed_are_kept", "case_notes", "DELETE", "OLD.state <> 'draft'", _REVIEWED),
    ("note_addenda_are_final", "note_addenda", "UPDATE", None, _APPEND_ONLY),
    ("note_addenda_are_kept", "note_addenda", "DELETE", None, _APPEND_ONLY),
    ("note_audit_is_final", "note_audit", "UPDATE", None, _APPEND_ONLY),
    ("note_audit_is_kept", "note_audit", "DELETE", None, _APPEND_ONLY),
]


def _create_record_keepers() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(
            "CREATE FUNCTION waypoint_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
    for name, table, action, condition, message in _GUARDS:
        if postgres:
            when = f"WHEN ({condition}) " if condition else ""
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON {table} FOR EACH ROW {when}"
                f"EXECUTE FUNCTION waypoint_refuse_change('{message}')"
            )
        else:
            when = f"WHEN {condition} " if condition else ""
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON {table} FOR EACH ROW {when}"
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def downgrade() -> None:
    for name, table, *_ in _GUARDS:
        op.execute(f"DROP TRIGGER {name}" + (f" ON {table}" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION waypoint_refuse_change()")
    with op.batch_alter_table("counselors", schema=None) as batch_op:
        batch_op.drop_column("password_hash")
        batch_op.drop_column("unit")
        batch_op.drop_column("role")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_to_draft")
        batch_op.drop_index("ix_contacts_quiet")
        batch_op.drop_column("drafted_at")

    with op.batch_alter_table("note_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_audit_note_id"))

    op.drop_table("note_audit")
    with op.batch_alter_table("note_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_addenda_note_id"))

    op.drop_table("note_addenda")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_case_notes_queue")
        batch_op.drop_index("ix_case_notes_participant")
        batch_op.drop_index(batch_op.f("ix_case_notes_contact_id"))

    op.drop_table("case_notes")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_counselor_id"))

    op.drop_table("api_tokens")
    op.drop_table("sign_in_failures")
