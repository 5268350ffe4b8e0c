"""Stored contract inspections: each upload's files (by content hash) and their inspections.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("inspections", sa.JSON(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.Column("medium", sa.Integer(), nullable=False),
        sa.Column("low", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("owner_name", sa.String(100), nullable=False),
        sa.Column("department", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("department", "created_at"):
        op.create_index(f"ix_contract_runs_{column}", "contract_runs", [column])


def downgrade() -> None:
    op.drop_table("contract_runs")
