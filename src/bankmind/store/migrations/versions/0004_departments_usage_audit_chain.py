"""Departments and their model policy, daily usage per department, and the audit chain's columns.

Existing audit records (none are written before this revision) get `seq` = their id.
Departments already named by users are created with the default policy.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("no_external", sa.Boolean(), nullable=False),
        sa.Column("mask_internal", sa.Boolean(), nullable=False),
        sa.Column("keep_masked_text", sa.Boolean(), nullable=False),
        sa.Column("tokens_per_day", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO departments "
        "(name, no_external, mask_internal, keep_masked_text, created_at, updated_at) "
        "SELECT DISTINCT department, false, true, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
        "FROM users WHERE department IS NOT NULL"
    )
    op.create_table(
        "usage",
        sa.Column("department", sa.String(100), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("tokens_in", sa.BigInteger(), nullable=False),
        sa.Column("tokens_out", sa.BigInteger(), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
    )
    with op.batch_alter_table("audit_records") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger()))
        batch.add_column(sa.Column("pii", sa.JSON()))
        batch.add_column(sa.Column("prompt_sha256", sa.String(64)))
        batch.add_column(sa.Column("response_sha256", sa.String(64)))
        batch.add_column(sa.Column("masked_prompt", sa.Text()))
        batch.add_column(sa.Column("masked_response", sa.Text()))
    op.execute("UPDATE audit_records SET seq = id")
    with op.batch_alter_table("audit_records") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch.create_index("ix_audit_records_seq", ["seq"], unique=True)
        batch.create_index("ix_audit_records_hash", ["hash"])
        batch.create_index("ix_audit_records_prev_hash", ["prev_hash"])
        batch.create_index("ix_audit_records_principal", ["principal"])


def downgrade() -> None:
    with op.batch_alter_table("audit_records") as batch:
        batch.drop_index("ix_audit_records_principal")
        batch.drop_index("ix_audit_records_prev_hash")
        batch.drop_index("ix_audit_records_hash")
        batch.drop_index("ix_audit_records_seq")
        batch.drop_column("masked_response")
        batch.drop_column("masked_prompt")
        batch.drop_column("response_sha256")
        batch.drop_column("prompt_sha256")
        batch.drop_column("pii")
        batch.drop_column("seq")
    op.drop_table("usage")
    op.drop_table("departments")
