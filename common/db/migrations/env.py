"""Alembic environment: runs on the connection handed in by `common.db.engine.migrate`."""
from alembic import context

from common.db.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: use the URL from the ini file
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
