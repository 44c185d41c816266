#!/usr/bin/env bash
# Kiln's devnet: builds kiln-miner and kiln-worker into one directory, then runs
# `kiln-miner devnet` — a miner and two kiln-worker processes on loopback sealing 2 KiB CC sectors.
# Extra arguments go to `kiln-miner devnet` (e.g. --workers 3 --sectors 4 --sector-size 8MiB --keep).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/artifacts/kiln"
dotnet build "$root/src/Miner/Miner.csproj" -c Release -o "$out" -nologo -v quiet
dotnet build "$root/src/Worker/Worker.csproj" -c Release -o "$out" -nologo -v quiet
exec "$out/kiln-miner" devnet "$@"
