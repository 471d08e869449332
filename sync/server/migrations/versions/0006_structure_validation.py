"""Structure validation: « Valider la fiche Structure » of an organisation for a campaign (seed 001 §2.1).

Revision ID: 0006_structure_validation
Revises: 0005_accounts_hardening
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.server.models

revision = "0006_structure_validation"
down_revision = "0005_accounts_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "structure_validation",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("validated_by", sa.Integer(), nullable=False),
        sa.Column("validated_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("questionnaire_id", sa.Uuid(), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["validated_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("organisation_id", "form_id"),
    )


def downgrade() -> None:
    op.drop_table("structure_validation")
