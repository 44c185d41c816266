#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: `scripts/postgres.sh start DIR` initialises a cluster in DIR (initdb, trust
# authentication, superuser "kiln") and starts it (pg_ctl) listening only on a unix socket in DIR, as a non-root user
# (initdb refuses root: the Debian package's "postgres" account when run as root); it prints the Npgsql connection
# string. `scripts/postgres.sh stop DIR` stops it and removes DIR. Debian's postgresql package is installed when no
# initdb is found and apt-get can run.
set -euo pipefail
cmd=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

find_bin() {
  local name=$1 found
  found=$(command -v "$name" 2>/dev/null || true)
  if [ -z "$found" ]; then
    found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -1 || true)
  fi
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    initdb=$(find_bin initdb)
    if [ -z "$initdb" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 \
        || { apt-get update >/dev/null 2>&1 || true; DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1; } \
        || true
      initdb=$(find_bin initdb)
    fi
    if [ -z "$initdb" ]; then
      echo "no PostgreSQL: install Debian's postgresql (apt-get install -y postgresql); the PostgreSQL tests will fail saying so" >&2
      exit 1
    fi
    pg_ctl=$(dirname "$initdb")/pg_ctl
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    fi
    mkdir -p "$dir"
    chmod 0755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$initdb" -D "$dir/data" -U kiln --auth=trust --encoding=UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir -c fsync=on -c max_connections=200" start >/dev/null \
      || { cat "$dir/postgres.log" >&2; exit 1; }
    echo "Host=$dir;Username=kiln;Database=postgres"
    ;;
  stop)
    pg_ctl=$(dirname "$(find_bin initdb)")/pg_ctl
    if [ -d "$dir/data" ]; then
      as_owner "$pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
