"""Persistence: SQLAlchemy 2 tables, engines (SQLite WAL or PostgreSQL) and Alembic migrations."""
