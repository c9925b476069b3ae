"""SQLAlchemy tables, the engine, workspace-scoped repositories and the Alembic migrations."""
