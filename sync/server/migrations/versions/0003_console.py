"""The Caf console: web sessions and the number of funded actions per Caf and campaign.

Revision ID: 0003_console
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.server.models

revision = "0003_console"
down_revision = "0002_replies_and_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_session",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_console_session_account_id"), "console_session", ["account_id"], unique=False)
    op.create_table(
        "funded_actions",
        sa.Column("caf", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("form_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("caf", "form_id"),
    )


def downgrade() -> None:
    op.drop_table("funded_actions")
    op.drop_index(op.f("ix_console_session_account_id"), table_name="console_session")
    op.drop_table("console_session")
