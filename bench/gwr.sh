#!/usr/bin/env bash
# GWR benchmark: bandwidth search (golden section, AICc, adaptive bisquare) + fit, k = 4
# covariates, generated data (bench/gwr_bench.c), on 2 threads; the base-R reference
# (bench/gwr_reference.R) on the sizes it can do, in the same run. Prints times, ratios and
# peak memory.
#   usage: bench/gwr.sh BUILD_DIR [sizes...]      (default sizes: 1000 10000 100000)
# Env: GWR_BW_MAX_100K (default 2000): upper end of the adaptive search for n = 100,000
#      (the default range [50, n] costs O(n^2)); R_SIZES (default "1000 2000").
set -eu
B=${1:?usage: bench/gwr.sh BUILD_DIR [sizes...]}; shift || true
SIZES=${*:-"1000 10000 100000"}
R_SIZES=${R_SIZES:-"1000 2000"}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
declare -A AG
for n in $SIZES; do
  bwmax=0; [ "$n" -ge 100000 ] && bwmax=${GWR_BW_MAX_100K:-2000}
  line=$("$B/gwr_bench" "$n" 2 "$bwmax" "$TMP/d$n.csv")
  echo "agglo $line"
  AG[$n]=$(echo "$line" | sed 's/.*total_s=\([0-9.]*\).*/\1/')
done
command -v Rscript >/dev/null || { echo "Rscript not found: no R reference"; exit 0; }
for n in $R_SIZES; do
  [ -f "$TMP/d$n.csv" ] || "$B/gwr_bench" "$n" 2 0 "$TMP/d$n.csv" > "$TMP/ag$n.txt"
  [ -n "${AG[$n]:-}" ] || { cat "$TMP/ag$n.txt" | sed 's/^/agglo /'; AG[$n]=$(sed 's/.*total_s=\([0-9.]*\).*/\1/' "$TMP/ag$n.txt"); }
  r=$(/usr/bin/time -f "R_peak_rss_kib=%M" Rscript "$(dirname "$0")/gwr_reference.R" "$TMP/d$n.csv" 2>&1 | tr '\n' ' ')
  echo "$r"
  rt=$(echo "$r" | sed 's/.*total_s=\([0-9.]*\).*/\1/')
  awk -v n="$n" -v r="$rt" -v a="${AG[$n]}" 'BEGIN { printf "n=%d: R %.2f s, agglo %.3f s, ratio %.0fx\n", n, r, a, r / a }'
done
