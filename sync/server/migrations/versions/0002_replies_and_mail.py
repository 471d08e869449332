"""Replies to notices, the durable e-mail queue and the Caf's own address (digest).

Revision ID: 0002_replies_and_mail
Revises: 0001
Create Date: 2026-12-02 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import sync.server.models

revision = "0002_replies_and_mail"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_reply",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("questionnaire_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"]),
        sa.ForeignKeyConstraint(["questionnaire_id"], ["questionnaire.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice_reply", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_reply_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_reply_questionnaire_id"), ["questionnaire_id"], unique=False)

    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("questionnaire_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sync.server.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("sent_at", sync.server.models.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.create_index("ix_mail_due", ["sent_at", "next_attempt_at"], unique=False)

    op.create_table(
        "caf_mail",
        sa.Column("caf", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("digest_until", sync.server.models.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("caf"),
    )


def downgrade() -> None:
    op.drop_table("caf_mail")
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_due")
    op.drop_table("mail_message")
    with op.batch_alter_table("notice_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_reply_questionnaire_id"))
        batch_op.drop_index(batch_op.f("ix_notice_reply_notice_id"))
    op.drop_table("notice_reply")
