#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks (Debian's `postgresql` package, which
# scripts/setup.sh installs). Never the distribution's own cluster (pg_ctlcluster, port 5432).
#
#   scripts/pg-cluster.sh run CMD [ARG...]  start a cluster, run CMD with DATABASE_URL set, then
#                                            stop and delete the cluster (also on failure or ^C);
#                                            exits with CMD's status
#   scripts/pg-cluster.sh start             start one and print `DATABASE_URL=...` and
#                                            `PG_CLUSTER_DIR=...` (eval-able); it runs until
#   scripts/pg-cluster.sh stop DIR          stops it and deletes DIR
#
# The cluster lives in a temporary folder and listens on a unix socket in that folder only (no TCP
# port, so runs never collide); set PG_CLUSTER_PORT=N to also listen on 127.0.0.1:N. Settings are
# for speed, not durability (fsync off): the data is thrown away anyway. initdb refuses to run as
# root, so as root the server runs as the `postgres` user the package creates.
set -euo pipefail

bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then d=$(pg_config --bindir); [ -x "$d/initdb" ] && { echo "$d"; return; }; fi
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  echo "pg-cluster: no PostgreSQL server binaries (apt-get install postgresql, or run scripts/setup.sh)" >&2
  exit 1
}

as_owner() {  # runs a server binary as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin dir port=${PG_CLUSTER_PORT:-5432} listen=''
  bin=$(bindir)
  # as root the server runs as `postgres`, which must reach the folder: /tmp, not root's TMPDIR
  if [ "$(id -u)" -eq 0 ]; then dir=$(mktemp -d /tmp/orderflow-pg.XXXXXX); chown postgres: "$dir"
  else dir=$(mktemp -d "${TMPDIR:-/tmp}/orderflow-pg.XXXXXX"); fi
  [ -n "${PG_CLUSTER_PORT:-}" ] && listen=127.0.0.1
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
  # max_connections: every server instance holds a pool plus one LISTEN connection, and test files
  # run two at a time, some with two instances. autovacuum off: its bursts of work after the seed
  # compete for the test machine's two cores with the timing tests (server-flood), and nothing here
  # lives long enough to need it.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses='$listen' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB -c autovacuum=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1; }
  as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres orderflow
  echo "DATABASE_URL=postgres://postgres@localhost:$port/orderflow?host=$dir"
  echo "PG_CLUSTER_DIR=$dir"
}

stop() {
  local dir=${1:?usage: pg-cluster.sh stop DIR}
  [ -d "$dir/data" ] && as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  run)
    shift
    [ $# -gt 0 ] || { echo "usage: pg-cluster.sh run CMD [ARG...]" >&2; exit 2; }
    vars=$(start)
    eval "$vars"
    trap 'stop "$PG_CLUSTER_DIR"' EXIT
    trap 'exit 130' INT TERM
    export DATABASE_URL
    rc=0; "$@" || rc=$?
    exit $rc
    ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
