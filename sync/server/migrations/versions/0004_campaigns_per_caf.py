"""Per-Caf collection windows over the national campaign window.

Revision ID: 0004_campaigns_per_caf
Revises: 0001
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.server.models

revision = "0004_campaigns_per_caf"
down_revision = "0003_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_caf_window",
        sa.Column("form_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("caf", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("opens", sa.Date(), nullable=True),
        sa.Column("closes", sa.Date(), nullable=True),
        sa.Column("updated_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("form_id", "caf"),
    )


def downgrade() -> None:
    op.drop_table("campaign_caf_window")
