#!/usr/bin/env bash
# Benchmark: agglo global Moran (999 permutations) and LISA (999 conditional permutations)
# against R spdep moran.mc and localmoran_perm on the same hexagonal-tessellation data
# (queen contiguity, row-standardised), in the same run; prints the ratios.
#   bench/autocorr.sh [BUILD_DIR] [SIZES...]      default: build 3000 100000
# Env: THREADS (default: all cores), NSIM (999), SKIP_R=1 to time agglo only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}; shift || true
sizes=${*:-3000 100000}
nsim=${NSIM:-999}
bin=$build/autocorr_bench
[ -x "$bin" ] || { echo "build first: cmake --build $build --target autocorr_bench" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
printf '%-8s %-8s %12s %12s %9s %12s %12s %9s\n' n threads agglo_moran spdep_mc ratio agglo_lisa spdep_perm ratio
for n in $sizes; do
  if [ -n "${THREADS:-}" ]; then export OMP_NUM_THREADS=$THREADS; fi
  a=$("$bin" "$n" "$work" "$nsim" 5)
  nn=$(sed 's/.*n=\([0-9]*\) .*/\1/' <<<"$a"); am=$(sed 's/.*moran_s=\([0-9.]*\).*/\1/' <<<"$a")
  al=$(sed 's/.*lisa_s=\([0-9.]*\).*/\1/' <<<"$a"); th=$(sed 's/.*threads=\([^ ]*\).*/\1/' <<<"$a")
  if [ "${SKIP_R:-0}" = 1 ] || ! command -v Rscript >/dev/null; then
    printf '%-8s %-8s %12s %12s %9s %12s %12s %9s\n' "$nn" "$th" "$am" - - "$al" - -; continue
  fi
  r=$(Rscript "$here/autocorr_spdep.R" "$work" "$nn" "$nsim")
  rm=$(sed 's/.*moran_mc_s=\([0-9.]*\).*/\1/' <<<"$r"); rl=$(sed 's/.*localmoran_perm_s=\([0-9.]*\).*/\1/' <<<"$r")
  printf '%-8s %-8s %12s %12s %9.1f %12s %12s %9.1f\n' "$nn" "$th" "$am" "$rm" \
    "$(awk -v a="$am" -v b="$rm" 'BEGIN{print b/a}')" "$al" "$rl" "$(awk -v a="$al" -v b="$rl" 'BEGIN{print b/a}')"
done
