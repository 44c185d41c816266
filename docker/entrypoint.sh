#!/bin/sh
# Container entry point of the kiln image (docker/Dockerfile), installed as /usr/local/bin/kiln-entrypoint.
#
#   kiln-entrypoint kiln-miner run [flags]     start the miner, then attach $KILN_ATTACH
#   kiln-entrypoint kiln-worker run [flags]    wait for the miner's repo files, start the worker, attach $KILN_ATTACH
#   kiln-entrypoint COMMAND...                 anything else runs as is (MINER_API_INFO still derived for kiln-worker)
#
# Environment:
#   MINER_API_INFO        TOKEN:MULTIADDR of the miner, as `kiln-miner auth api-info --perm admin` or
#                         `lotus-miner auth api-info --perm admin` prints it. When set, nothing is waited for.
#   KILN_MINER_REPO_WAIT  a miner repo directory mounted into this container (read-only is enough). When
#                         MINER_API_INFO is unset, kiln-worker commands wait until its `token` and `api` files
#                         exist and export MINER_API_INFO=<token>:<api>. The token there is the miner's
#                         full-permission token, which includes admin.
#   KILN_WAIT_TIMEOUT     seconds to wait for those files and for the process's own api file (default 300; 0: forever)
#   KILN_ATTACH           storage paths to attach once `run` is up, space-separated, each [init+]USE:PATH with USE
#                         one of seal, store, seal+store. `init+` writes the path's sectorstore.json when it has
#                         none (`storage attach --init --seal/--store`). Without it the entry waits until another
#                         host has initialized the path: a shared path keeps one storage id for every host that
#                         attaches it, which is what tells the sector index that nothing has to be fetched.
#                         Paths already in the repo's storage.json are skipped (the process reopens them itself).
#
# The repos come from the environment the image sets: KILN_MINER_PATH for kiln-miner, LOTUS_WORKER_PATH for
# kiln-worker. SIGTERM and SIGINT are passed on to the process, and its exit status is the container's.
set -eu

timeout="${KILN_WAIT_TIMEOUT:-300}"

log() {
  echo "kiln-entrypoint: $*" >&2
}

# wait_for FILE WHAT: until FILE exists and is not empty, or the timeout passes.
wait_for() {
  waited=0
  while [ ! -s "$1" ]; do
    if [ "$timeout" -gt 0 ] && [ "$waited" -ge "$timeout" ]; then
      log "gave up after ${timeout}s waiting for $2 ($1)"
      return 1
    fi
    if [ $((waited % 15)) -eq 0 ]; then
      log "waiting for $2 ($1)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

binary="${1:-}"
case "$binary" in
  kiln-miner)
    repo="${KILN_MINER_PATH:-${LOTUS_MINER_PATH:-$HOME/.kilnminer}}"
    ;;
  kiln-worker)
    repo="${LOTUS_WORKER_PATH:-${WORKER_PATH:-$HOME/.kilnworker}}"
    if [ -z "${MINER_API_INFO:-}" ] && [ -n "${KILN_MINER_REPO_WAIT:-}" ]; then
      wait_for "$KILN_MINER_REPO_WAIT/token" "the miner's token"
      wait_for "$KILN_MINER_REPO_WAIT/api" "the miner's api file (written when kiln-miner run listens)"
      MINER_API_INFO="$(cat "$KILN_MINER_REPO_WAIT/token"):$(cat "$KILN_MINER_REPO_WAIT/api")"
      export MINER_API_INFO
      log "MINER_API_INFO from $KILN_MINER_REPO_WAIT: <token>:$(cat "$KILN_MINER_REPO_WAIT/api")"
    fi
    ;;
  *)
    exec "$@"
    ;;
esac

if [ "${2:-}" != "run" ]; then
  exec "$@"
fi

# The api file tells when this run listens; remove the previous run's so that it is not mistaken for this one.
mkdir -p "$repo"
rm -f "$repo/api"

"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT

attach() {
  for entry in ${KILN_ATTACH:-}; do
    spec="${entry%%:*}"
    path="${entry#*:}"
    if [ "$spec" = "$entry" ] || [ -z "$path" ]; then
      log "KILN_ATTACH entry '$entry' is not [init+]USE:PATH"
      return 1
    fi
    if [ -f "$repo/storage.json" ] && grep -qF "\"$path\"" "$repo/storage.json"; then
      log "$path is already in $repo/storage.json"
      continue
    fi
    set --
    case "$spec" in
      init+*)
        spec="${spec#init+}"
        if [ ! -f "$path/sectorstore.json" ]; then
          mkdir -p "$path"
          set -- --init
        fi
        ;;
      *)
        wait_for "$path/sectorstore.json" "another host to initialize $path" || return 1
        ;;
    esac
    case "$spec" in
      seal) set -- "$@" --seal ;;
      store) set -- "$@" --store ;;
      seal+store | store+seal) set -- "$@" --seal --store ;;
      *)
        log "KILN_ATTACH entry '$entry': use seal, store or seal+store"
        return 1
        ;;
    esac
    log "$binary storage attach $* $path"
    "$binary" storage attach "$@" "$path" || return 1
  done
}

if [ -n "${KILN_ATTACH:-}" ]; then
  if ! { wait_for "$repo/api" "$binary to listen" && attach; }; then
    log "storage attach failed; stopping $binary"
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" || true
    exit 1
  fi
fi

# `wait` returns early when a trapped signal arrives; wait again until the process has really exited.
status=0
wait "$child" || status=$?
while kill -0 "$child" 2>/dev/null; do
  status=0
  wait "$child" || status=$?
done
exit "$status"
