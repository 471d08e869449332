"""Indexes for the national peak (issue 13): the login throttling reads its window through (email, at)
and (client, at) instead of every attempt of the day from one address; the two indexes that duplicated
a unique key (feed_change (organisation_id, seq), version (questionnaire_id)) are dropped, one index
less to update per feed row and per version.

Revision ID: 0007_hot_path_indexes
Revises: 0006_structure_validation
"""

from __future__ import annotations

from alembic import op

revision = "0007_hot_path_indexes"
down_revision = "0006_structure_validation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_email")
        batch_op.drop_index("ix_login_failure_client")
        batch_op.create_index("ix_login_failure_email_at", ["email", "at"], unique=False)
        batch_op.create_index("ix_login_failure_client_at", ["client", "at"], unique=False)
    with op.batch_alter_table("feed_change", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_org_seq")
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.drop_index("ix_version_questionnaire_id")


def downgrade() -> None:
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.create_index("ix_version_questionnaire_id", ["questionnaire_id"], unique=False)
    with op.batch_alter_table("feed_change", schema=None) as batch_op:
        batch_op.create_index("ix_feed_org_seq", ["organisation_id", "seq"], unique=False)
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_client_at")
        batch_op.drop_index("ix_login_failure_email_at")
        batch_op.create_index("ix_login_failure_client", ["client"], unique=False)
        batch_op.create_index("ix_login_failure_email", ["email"], unique=False)
