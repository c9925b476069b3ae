"""indexes for the dataset read model: the latest run of each document and its units, a value's review

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 13:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("extractions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_extractions_units",
            ["workspace_id", "project_id", "document_id", "job_id", "entity_index"],
            unique=False,
        )
    with op.batch_alter_table("extraction_feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_extraction_feedback_in_force", ["workspace_id", "extraction_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("extraction_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_extraction_feedback_in_force")
    with op.batch_alter_table("extractions", schema=None) as batch_op:
        batch_op.drop_index("ix_extractions_units")
