"""Alembic environment: runs as the owner role; then re-applies the runtime role's grants."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from server.db.grants import apply_grants
from server.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    app_role = config.attributes.get("app_role")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, compare_server_default=True,
                          transaction_per_migration=False)
        with context.begin_transaction():
            context.run_migrations()
            if app_role:
                apply_grants(conn, app_role)


run_migrations_online()
