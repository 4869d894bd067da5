#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for the tests: Debian's `postgresql` binaries,
# a data directory under DIR, listening on 127.0.0.1 only (and a socket in DIR), owned by an
# unprivileged user (the tests' own system user `ventanilla-pg` when run as root, else the
# caller). Nothing of the machine's own PostgreSQL service is used or touched.
#
#   scripts/pg-cluster.sh start DIR   # prints postgres://ventanilla@127.0.0.1:PORT/postgres
#   scripts/pg-cluster.sh stop DIR
#
# Test settings, not production ones: trust authentication on loopback (the cluster lives
# for one test run in a directory only its owner reads) and fsync off (the tests check the
# server's logic on PostgreSQL, not the disk). With PG_DURABLE=1 (the benches) the cluster
# keeps PostgreSQL's durable defaults: fsync, synchronous commit, full-page writes.
set -euo pipefail

cmd="${1:?start|stop}"
dir="${2:?directory}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$bin/initdb" ] || { echo "pg-cluster: PostgreSQL is not installed (scripts/setup.sh --tests installs it)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u ventanilla-pg -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown ventanilla-pg "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=ventanilla --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # A port taken between choosing it and binding it: choose again.
    settings="-c max_connections=300"
    if [ "${PG_DURABLE:-0}" != "1" ]; then
      settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    for attempt in 1 2 3 4 5; do
      port="$(free_port)"
      if as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=120 \
          -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir $settings" \
          start >/dev/null; then
        echo "postgres://ventanilla@127.0.0.1:$port/postgres"
        exit 0
      fi
    done
    echo "pg-cluster: the server did not start; its log:" >&2
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
