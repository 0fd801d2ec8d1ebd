#!/usr/bin/env bash
# Makes a hot standby of a running PostgreSQL server on this machine and starts it (streaming replication):
#   standby.sh BINDIR PRIMARY_DATA PRIMARY_PORT STANDBY_DATA STANDBY_PORT
# PGPASSWORD: the primary's superuser (postgres) password. Run it as the OS user that runs the primary
# (the standby's files must be that user's). Used by .ci/run's PostgreSQL 15 pass and by
# `npm run test:replica` when it builds its own pair (test/replica/run.ts).
# On the primary: a `replicator` role (LOGIN REPLICATION, a random password) and pg_hba lines letting it
# replicate from localhost; wal_level replica and max_wal_senders are PostgreSQL's defaults.
set -euo pipefail
bindir=$1 primary_data=$2 primary_port=$3 standby_data=$4 standby_port=$5
replicator_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')

"$bindir/psql" -X -q -v ON_ERROR_STOP=1 "host=localhost port=$primary_port user=postgres dbname=postgres" <<SQL
select format('create role replicator login replication password %L', '$replicator_password')
  where not exists (select from pg_roles where rolname = 'replicator') \gexec
alter role replicator password '$replicator_password';
SQL
printf '%s\n' "host replication replicator 127.0.0.1/32 scram-sha-256" "host replication replicator ::1/128 scram-sha-256" \
  >> "$primary_data/pg_hba.conf"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 "host=localhost port=$primary_port user=postgres dbname=postgres" -c "select pg_reload_conf()" >/dev/null

# -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile.
PGPASSWORD=$replicator_password "$bindir/pg_basebackup" -h localhost -p "$primary_port" -U replicator \
  -D "$standby_data" -R -X stream -c fast
chmod 700 "$standby_data"
"$bindir/pg_ctl" -D "$standby_data" -l "$standby_data.log" -w \
  -o "-p $standby_port -c listen_addresses=localhost -c unix_socket_directories=''" start >/dev/null
# Streaming once the standby says it is in recovery and its WAL receiver is connected.
for _ in $(seq 1 100); do
  state=$("$bindir/psql" -X -At "host=localhost port=$standby_port user=postgres dbname=postgres" \
    -c "select pg_is_in_recovery() and exists (select from pg_stat_wal_receiver where status = 'streaming')" 2>/dev/null || true)
  [ "$state" = t ] && exit 0
  sleep 0.1
done
echo "standby.sh: the standby on port $standby_port did not start streaming from port $primary_port (log: $standby_data.log)" >&2
exit 1
