#!/usr/bin/env bash
# The lotus-bench "simple" walk-through on Kiln: AddPiece of /dev/zero into an unsealed sector,
# then PreCommit1 (SDR labeling) on it, printing what lotus-bench prints.
# Usage: scripts/bench-simple.sh [SECTOR_SIZE] [WORK_DIR]     (defaults: 2KiB, a fresh temp dir)
set -euo pipefail
size=${1:-2KiB}
work=${2:-$(mktemp -d -t kiln-bench-XXXXXX)}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/artifacts/kiln-worker"
dotnet build "$root/src/Worker/Worker.csproj" -c Release -o "$out" -nologo -v quiet
kw="$out/kiln-worker"
mkdir -p "$work"
# The parent cache goes beside the sector unless the operator chose a place for it.
export FIL_PROOFS_PARENT_CACHE=${FIL_PROOFS_PARENT_CACHE:-$work/parents}
echo "> kiln-worker bench simple addpiece --sector-size $size /dev/zero $work/unsealed"
read -r cid padded < <("$kw" bench simple addpiece --sector-size "$size" /dev/zero "$work/unsealed" | tee /dev/stderr | tail -n 1)
echo "> kiln-worker bench simple precommit1 --sector-size $size $work/unsealed $work/sealed $work/cache $cid $padded"
"$kw" bench simple precommit1 --sector-size "$size" "$work/unsealed" "$work/sealed" "$work/cache" "$cid" "$padded"
echo "> ls -l $work/cache"
ls -l "$work/cache"
