"""The product's vocabulary: pydantic models and enums, free of Qt and SQLAlchemy."""
