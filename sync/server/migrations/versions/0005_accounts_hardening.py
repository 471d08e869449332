"""Accounts hardening: login throttling per address (atomic), known clients, questionnaire id claims,
and the server's stable identity.

Revision ID: 0005_accounts_hardening
Revises: 0001
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.server.models

revision = "0005_accounts_hardening"
down_revision = "0004_campaigns_per_caf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("succeeded", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f("ix_login_failure_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
    op.create_table(
        "login_lock",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=330), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "known_client",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_login_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("account_id", "client"),
    )
    op.create_table(
        "questionnaire_claim",
        sa.Column("questionnaire_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("questionnaire_id"),
    )
    with op.batch_alter_table("questionnaire_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_claim_organisation_id"), ["organisation_id"], unique=False)
    # Existing ids keep the organisation that owns them: the questionnaire's, else the first uploader's.
    op.execute(
        "INSERT INTO questionnaire_claim (questionnaire_id, organisation_id, created_at) "
        "SELECT id, organisation_id, created_at FROM questionnaire"
    )
    op.execute(
        "INSERT INTO questionnaire_claim (questionnaire_id, organisation_id, created_at) "
        "SELECT a.questionnaire_id, MIN(a.organisation_id), MIN(a.created_at) FROM attachment a "
        "WHERE a.questionnaire_id NOT IN (SELECT questionnaire_id FROM questionnaire_claim) "
        "GROUP BY a.questionnaire_id"
    )
    identity = op.create_table(
        "server_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(identity, [{"id": 1, "server_id": uuid.uuid4(), "created_at": dt.datetime.now(dt.UTC)}])


def downgrade() -> None:
    op.drop_table("server_identity")
    with op.batch_alter_table("questionnaire_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_claim_organisation_id"))
    op.drop_table("questionnaire_claim")
    op.drop_table("known_client")
    op.drop_table("login_lock")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_at"))
        batch_op.drop_index(batch_op.f("ix_login_failure_client"))
        batch_op.drop_column("succeeded")
        batch_op.drop_column("client")
