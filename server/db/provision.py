"""Roles and database for the embedded cluster (a real install does this with deploy/postgresql-setup.sql).

Two roles, so the audit trail is append-only for the server:
- ``pms_owner`` owns the schema and runs migrations;
- ``pms_app`` is what ``serve`` connects as; migrations grant it no UPDATE/DELETE on audit tables.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from server.db.embedded import SUPERUSER, EmbeddedPostgres

OWNER_ROLE = "pms_owner"
APP_ROLE = "pms_app"
EXTENSIONS = ("btree_gist", "pg_trgm", "citext", "fuzzystrmatch")


def provision(pg: EmbeddedPostgres, database: str) -> None:
    with psycopg.connect(pg.conninfo(SUPERUSER, "postgres"), autocommit=True) as conn:
        for role in (OWNER_ROLE, APP_ROLE):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(database), sql.Identifier(OWNER_ROLE)))
    with psycopg.connect(pg.conninfo(SUPERUSER, database), autocommit=True) as conn:
        for ext in EXTENSIONS:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(OWNER_ROLE)))
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(APP_ROLE)))
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database)))
        for role in (OWNER_ROLE, APP_ROLE):
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(database), sql.Identifier(role)))
