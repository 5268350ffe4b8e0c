"""Alembic environment: runs on the connection the Store hands over (see store/migrate.py)."""

from __future__ import annotations

from alembic import context

from bankmind.store.schema import Base, include_name

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,  # the pgvector side table has no model (schema.UNMODELLED_OBJECTS)
)
with context.begin_transaction():
    context.run_migrations()
