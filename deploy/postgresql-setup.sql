-- PMS: roles, database and extensions on a PostgreSQL 15+ server. Run once as the superuser (postgres).
--
-- Two roles, so the audit trail stays append-only for the running server:
--   pms_owner  owns the database and schema and runs migrations (PMS_OWNER_DATABASE_URL);
--   pms_app    is what `pms-server serve` connects as (DATABASE_URL). Migrations grant it its table
--              privileges, without UPDATE or DELETE on the audit table.
--
-- Passwords come in as psql variables. To keep them off the command line (where `ps` shows them),
-- feed them on standard input together with this file:
--
--   { printf '\\set owner_password %s\n\\set app_password %s\n' "$OWNER_PW" "$APP_PW"
--     cat postgresql-setup.sql; } | sudo -u postgres psql -X -v ON_ERROR_STOP=1 -d postgres
--
-- `psql -v owner_password=... -v app_password=...` works too. A variable that is not set is asked for
-- interactively. Optional: `-v dbname=NAME` (default pms), e.g. for a scratch database to test a restore.
--
-- Safe to run again: existing roles and the database are left as they are (their passwords are NOT changed;
-- use ALTER ROLE ... PASSWORD for that), extensions and privileges are re-applied.

\set ON_ERROR_STOP on

\if :{?dbname}
\else
  \set dbname pms
\endif

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pms_owner') AS need_owner,
       NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pms_app') AS need_app
\gset

\if :need_owner
  \if :{?owner_password}
  \else
    \prompt 'Password for new role pms_owner: ' owner_password
  \endif
  SELECT format('CREATE ROLE pms_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
                :'owner_password')
  \gexec
\endif

\if :need_app
  \if :{?app_password}
  \else
    \prompt 'Password for new role pms_app: ' app_password
  \endif
  SELECT format('CREATE ROLE pms_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L',
                :'app_password')
  \gexec
\endif

SELECT format('CREATE DATABASE %I OWNER pms_owner ENCODING %L TEMPLATE template0', :'dbname', 'UTF8')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'dbname')
\gexec

-- Only the two PMS roles may connect.
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO pms_owner, pms_app;

\connect :dbname

-- As superuser: exclusion constraints (no double booking), fuzzy name search (trigrams, Soundex), case-insensitive text.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- pms_owner owns the schema; nobody else may create objects in it.
ALTER SCHEMA public OWNER TO pms_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO pms_app;
