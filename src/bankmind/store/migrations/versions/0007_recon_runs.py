"""Stored reconciliation runs and their breaks, with each break's follow-up (status, comment).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recon_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("batch_id", sa.String(36)),
        sa.Column("product", sa.String(300)),
        sa.Column("valuation_date", sa.Date()),
        sa.Column("manager_file", sa.String(500), nullable=False),
        sa.Column("custodian_file", sa.String(500), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("breaks", sa.Integer(), nullable=False),
        sa.Column("new_breaks", sa.Integer(), nullable=False),
        sa.Column("carried_breaks", sa.Integer(), nullable=False),
        sa.Column("cleared", sa.Integer(), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("previous_run_id", sa.String(36)),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("owner_name", sa.String(100), nullable=False),
        sa.Column("department", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("batch_id", "product", "valuation_date", "department", "created_at"):
        op.create_index(f"ix_recon_runs_{column}", "recon_runs", [column])
    op.create_table(
        "recon_breaks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id", sa.String(36), sa.ForeignKey("recon_runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("subject_code", sa.String(100)),
        sa.Column("subject_name", sa.String(300)),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("field", sa.String(30), nullable=False),
        sa.Column("manager", sa.Float()),
        sa.Column("custodian", sa.Float()),
        sa.Column("difference", sa.Float()),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("cause", sa.String(50), nullable=False),
        sa.Column("knock_on", sa.Boolean(), nullable=False),
        sa.Column("manager_cell", sa.String(100)),
        sa.Column("custodian_cell", sa.String(100)),
        sa.Column("carried_over", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.Date()),
        sa.Column("narrative", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.Column("status_by", sa.String(100)),
        sa.Column("status_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_recon_breaks_run_id", "recon_breaks", ["run_id"])


def downgrade() -> None:
    op.drop_table("recon_breaks")
    op.drop_table("recon_runs")
