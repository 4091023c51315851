#!/usr/bin/env bash
# GWR benchmark: bandwidth search (golden section, AICc, adaptive bisquare, mgwr's default
# range [40 + 2p, n]) + fit, k = 4 covariates, generated data (bench/gwr_bench.c), on 2
# threads; the base-R reference (bench/gwr_reference.R: the same search, every local
# regression by solve()) on the sizes it can do, in the same run. Prints times, ratios, the
# bandwidths both chose, and peak memory; and the ratio to mgwr's times quoted in issue 5
# (mgwr is not packaged for Debian, so it cannot run here).
#   usage: bench/gwr.sh BUILD_DIR [sizes...]      (default sizes: 1000 10000 100000)
# Env: REPS (default 3): agglo runs per size, the median reported; R_SIZES (default
#      "1000 2000"); GWR_BW_MAX_100K (default 0 = full range): cap of the search at n >= 100,000.
set -eu
B=${1:?usage: bench/gwr.sh BUILD_DIR [sizes...]}; shift || true
SIZES=${*:-"1000 10000 100000"}
R_SIZES=${R_SIZES:-"1000 2000"}
REPS=${REPS:-3}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
declare -A AG AGBW
field() { echo " $1" | sed "s/.* $2=\([^ ]*\).*/\1/"; }
median_line() { # runs gwr_bench REPS times, prints the line of the median total time
  local n=$1 bwmax=$2 csv=$3
  for _ in $(seq "$REPS"); do
    l=$("$B/gwr_bench" "$n" 2 "$bwmax" "$csv"); echo "$(field "$l" total_s) $l"
  done | sort -n | awk -v r="$REPS" '{ sub(/^[^ ]* /, ""); l[NR] = $0 } END { print l[int((r + 1) / 2)] }'
}
for n in $SIZES; do
  bwmax=0; [ "$n" -ge 100000 ] && bwmax=${GWR_BW_MAX_100K:-0}
  line=$(median_line "$n" "$bwmax" "$TMP/d$n.csv")
  echo "agglo (median of $REPS) $line"
  AG[$n]=$(field "$line" total_s); AGBW[$n]=$(field "$line" bw)
done
for n in 2000 5000 10000; do # mgwr, adaptive bisquare, AICc golden section (issue 5)
  case $n in 2000) t=9.2 ;; 5000) t=18.5 ;; 10000) t=60 ;; esac
  [ -n "${AG[$n]:-}" ] && awk -v n="$n" -v t="$t" -v a="${AG[$n]}" \
    'BEGIN { printf "n=%d: mgwr (quoted) %.1f s, agglo %.3f s, ratio %.0fx\n", n, t, a, t / a }'
done
command -v Rscript >/dev/null || { echo "Rscript not found: no R reference"; exit 0; }
for n in $R_SIZES; do
  if [ -z "${AG[$n]:-}" ]; then
    line=$(median_line "$n" 0 "$TMP/d$n.csv"); echo "agglo (median of $REPS) $line"
    AG[$n]=$(field "$line" total_s); AGBW[$n]=$(field "$line" bw)
  fi
  r=$(/usr/bin/time -f "R_peak_rss_kib=%M" Rscript "$(dirname "$0")/gwr_reference.R" "$TMP/d$n.csv" 2>&1 | tr '\n' ' ')
  echo "$r"
  rt=$(field " $r" total_s); rbw=$(field " $r" bw)
  awk -v n="$n" -v r="$rt" -v a="${AG[$n]}" -v rb="$rbw" -v ab="${AGBW[$n]}" 'BEGIN {
    printf "n=%d: R %.2f s, agglo %.3f s, ratio %.0fx; bandwidth R %s agglo %s (%s)\n",
           n, r, a, r / a, rb, ab, rb == ab ? "same" : "DIFFERENT" }'
done
