#!/usr/bin/env bash
# The lotus-bench "simple" walk-through on Kiln: AddPiece of /dev/zero into an unsealed sector,
# PreCommit1 (SDR labeling), PreCommit2, Commit1, Commit2 and Window/Winning PoSt vanilla proofs and SNARKs,
# printing what lotus-bench prints. Without FILCRYPTO_LIB the SNARKs use Kiln's insecure test prover
# (valid on no network, and every such line says so).
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
pc1=$("$kw" bench simple precommit1 --sector-size "$size" "$work/unsealed" "$work/sealed" "$work/cache" "$cid" "$padded" | tee /dev/stderr | tail -n 1)
echo "> kiln-worker bench simple precommit2 --sector-size $size $work/sealed $work/cache <pc1out>"
read -r d r < <("$kw" bench simple precommit2 --sector-size "$size" "$work/sealed" "$work/cache" "$pc1" | tee /dev/stderr | tail -n 1)
commd=${d#d:}
commr=${r#r:}
echo "> kiln-worker bench simple commit1 --sector-size $size $work/sealed $work/cache $commd $commr $work/c1out.json"
"$kw" bench simple commit1 --sector-size "$size" "$work/sealed" "$work/cache" "$commd" "$commr" "$work/c1out.json"
insecure=()
if [ -z "${FILCRYPTO_LIB:-}" ]; then insecure=(--insecure-test-proofs); fi
echo "> kiln-worker bench simple commit2 --sector-size $size ${insecure[*]} $work/c1out.json"
"$kw" bench simple commit2 --sector-size "$size" "${insecure[@]}" "$work/c1out.json"
for post in window-post winning-post; do
  echo "> kiln-worker bench simple $post --sector-size $size ${insecure[*]} $work/sealed $work/cache $commr"
  "$kw" bench simple "$post" --sector-size "$size" "${insecure[@]}" "$work/sealed" "$work/cache" "$commr"
done
echo "> ls -l $work/cache"
ls -l "$work/cache"
