"""Migrations reach head, match the models exactly, go down and up again; the server refuses other revisions."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, pool

from server.db.migrate import SchemaNotAtHead, alembic_config, head_revision, require_head, upgrade_to_head
from server.db.models import Base
from tests.support import Cluster

pytestmark = pytest.mark.pg_compat


def test_template_is_at_head_without_drift(cluster: Cluster) -> None:
    urls = cluster.new_database()
    engine = create_engine(urls.owner_url or "", poolclass=pool.NullPool)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_server_default": True})
        assert ctx.get_current_revision() == head_revision()
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_nothing_and_back(cluster: Cluster) -> None:
    urls = cluster.new_database()
    assert urls.owner_url
    cfg = alembic_config(urls.owner_url, urls.app_role)
    command.downgrade(cfg, "base")
    with pytest.raises(SchemaNotAtHead, match="run `pms-server migrate`"):
        require_head(urls.app_url)
    upgrade_to_head(urls.owner_url, urls.app_role)
    require_head(urls.app_url)


def test_runtime_role_privileges_after_migration(cluster: Cluster) -> None:
    import psycopg

    urls = cluster.new_database()
    with psycopg.connect(cluster.app_conninfo(urls)) as conn:
        rows = conn.execute(
            "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
            "FROM information_schema.role_table_grants WHERE grantee = 'pms_app' GROUP BY table_name").fetchall()
    grants = dict(rows)
    assert grants["audit_event"] == "INSERT,SELECT"
    assert grants["alembic_version"] == "INSERT,SELECT"
    assert grants["app_user"] == "DELETE,INSERT,SELECT,UPDATE"


def test_the_cluster_is_the_postgresql_asked_for(cluster: Cluster) -> None:
    """The compatibility run really runs on the distribution's PostgreSQL (15), the default one on the wheel's (18)."""
    import os

    with cluster.superuser() as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    wanted = os.environ.get("PMS_TEST_PG_BIN", "")
    if "/postgresql/15/" in wanted:
        assert major == 15
    else:
        assert major >= 18
