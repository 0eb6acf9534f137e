"""workspace: the groups every newcomer joins, who may create public groups

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as table:
        table.add_column(
            sa.Column("default_group_ids", sa.JSON(), nullable=False, server_default="[]")
        )
        table.add_column(
            sa.Column(
                "public_groups_by", sa.String(length=16), nullable=False, server_default="everyone"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("workspace") as table:
        table.drop_column("public_groups_by")
        table.drop_column("default_group_ids")
