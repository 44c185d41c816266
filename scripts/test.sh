#!/usr/bin/env bash
# Kiln's test command: installs what the tests need on a fresh Debian machine with the .NET 10 SDK, then runs
# every test project of Miner.sln in Release. Extra arguments go to `dotnet test` (e.g. --filter ...).
#   - a C compiler for the optional SHA-NI kernel (without one the managed SHA-256 path is tested);
#   - Debian's docker-compose, to check docker/docker-compose.yml's schema (no Docker engine is needed);
#   - Debian's chromium for the dashboard's browser tests (tests/Ui.Tests; CHROMIUM_PATH names another binary);
#   - Debian's postgresql: a throwaway cluster (scripts/postgres.sh: initdb + pg_ctl in a temporary directory, unix
#     socket only) for the PostgreSQL tests, named to them by KILN_TEST_POSTGRES and stopped afterwards.
# Packages are installed only when missing and only where apt-get can run (as root); otherwise the script says
# what is missing and the tests that need it fail saying how to install it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "the .NET 10 SDK is required (dotnet not found on PATH)" >&2
  exit 1
fi

updated=0
apt_install() {
  # apt_install PACKAGE COMMAND: installs PACKAGE when COMMAND is missing; an out-of-date package list is refreshed once.
  local package=$1 command=$2
  command -v "$command" >/dev/null 2>&1 && return 0
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "missing $command: install Debian's $package (apt-get install -y --no-install-recommends $package)" >&2
    return 1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package" >/dev/null 2>&1; then
    if [ "$updated" = 0 ]; then
      apt-get update >/dev/null 2>&1 || true
      updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package" >/dev/null 2>&1 \
      || { echo "could not install $package" >&2; return 1; }
  fi
}

apt_install gcc cc || echo "no C compiler: testing the managed SHA-256 path only" >&2
apt_install docker-compose docker-compose || echo "no docker-compose: docker/docker-compose.yml is checked by ComposeFileTests only" >&2
apt_install chromium chromium || echo "no chromium: the dashboard's browser tests will fail" >&2

if command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker/docker-compose.yml --profile fetch config -q
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Hosts inside the tests log warnings and errors only, so a failure is not buried under request logs.
export Logging__LogLevel__Default="${Logging__LogLevel__Default:-Warning}"

if [ -z "${KILN_TEST_POSTGRES:-}" ]; then
  pgdir=$(mktemp -d -u /tmp/kiln-test-pg-XXXXXX)
  trap 'scripts/postgres.sh stop "$pgdir"' EXIT
  if KILN_TEST_POSTGRES=$(scripts/postgres.sh start "$pgdir"); then
    export KILN_TEST_POSTGRES
  else
    echo "no PostgreSQL for the tests: the PostgreSQL tests will fail saying so" >&2
  fi
fi

dotnet test Miner.sln -c Release "$@"
