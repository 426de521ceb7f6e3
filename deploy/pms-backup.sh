#!/bin/bash
# Nightly PMS backup: a pg_dump (custom format) of the database as pms_owner, plus the data folder's pki/
# (the practice CA and server key: without them every workstation would have to be enrolled again).
#
# Run by pms-backup.service as the pms user with /etc/pms/pms.env loaded. Settings (environment):
#   PMS_OWNER_DATABASE_URL     postgresql+psycopg://pms_owner:PASSWORD@127.0.0.1:5432/pms (required)
#   PMS_DATA_DIR               the server's data folder             (default /var/lib/pms)
#   PMS_BACKUP_DIR             where backups go                     (default /var/backups/pms)
#   PMS_BACKUP_RETENTION_DAYS  delete backups older than this       (default 14)
#
# Each run writes BACKUP_DIR/YYYYmmddTHHMMSSZ/{pms.dump,pki.tar,SHA256SUMS}; a run that fails leaves only a
# *.partial folder, which a later run removes. Restore: see deploy/INSTALL.md, "Backups and restore".
set -euo pipefail
umask 077

data_dir=${PMS_DATA_DIR:-/var/lib/pms}
backup_dir=${PMS_BACKUP_DIR:-/var/backups/pms}
retention_days=${PMS_BACKUP_RETENTION_DAYS:-14}
url=${PMS_OWNER_DATABASE_URL:?PMS_OWNER_DATABASE_URL is not set (see /etc/pms/pms.env)}

log() { printf 'pms-backup: %s\n' "$*" >&2; }

urldecode() { printf '%b' "${1//%/\\x}"; }

# Split the URL into libpq variables so the password never appears on a command line.
re='^postgres(ql)?(\+[a-z0-9]+)?://([^:@/]+)(:([^@/]*))?@([^:/?]+|\[[0-9a-fA-F:]+\])(:([0-9]+))?/([^?]+)'
if [[ ! $url =~ $re ]]; then
    log "cannot parse PMS_OWNER_DATABASE_URL (expected postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE)"
    exit 2
fi
PGUSER=$(urldecode "${BASH_REMATCH[3]}")
PGPASSWORD=$(urldecode "${BASH_REMATCH[5]}")
PGHOST=${BASH_REMATCH[6]}
PGHOST=${PGHOST#[}
PGHOST=${PGHOST%]}
PGPORT=${BASH_REMATCH[8]:-5432}
PGDATABASE=$(urldecode "${BASH_REMATCH[9]}")
export PGUSER PGPASSWORD PGHOST PGPORT PGDATABASE
unset PMS_OWNER_DATABASE_URL DATABASE_URL

[[ $retention_days =~ ^[0-9]+$ && $retention_days -ge 1 ]] || { log "bad PMS_BACKUP_RETENTION_DAYS"; exit 2; }
[[ -d $data_dir/pki ]] || { log "$data_dir/pki not found"; exit 2; }
mkdir -p "$backup_dir"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target=$backup_dir/$stamp
work=$target.partial
rm -rf "$work"
mkdir "$work"

log "dumping database $PGDATABASE as $PGUSER to $target"
pg_dump --format=custom --compress=6 --no-password --file="$work/pms.dump"
# A dump that pg_restore cannot read is no backup.
pg_restore --list "$work/pms.dump" >/dev/null
tar -C "$data_dir" -cf "$work/pki.tar" pki
(cd "$work" && sha256sum pms.dump pki.tar >SHA256SUMS)
mv "$work" "$target"
log "done: $(du -sh "$target" | cut -f1)"

# Retention: whole backup folders older than the retention period, and leftovers of failed runs.
find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*T[0-9]*Z' \
    -mmin +$((retention_days * 24 * 60)) -print -exec rm -rf {} + | sed 's/^/pms-backup: removed old backup /' >&2
find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -name '*.partial' -mmin +720 -exec rm -rf {} +
