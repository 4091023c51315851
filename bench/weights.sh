#!/usr/bin/env bash
# Benchmark: queen and knn(8) weights with agglo vs R spdep and libpysal on generated Voronoi
# layers (bench/weights_gen.c), timed in the same run on the same files.
#   bench/weights.sh [BUILD_DIR] [SIZES...]      (default: build, 3000 20000 100000)
# Times are process CPU seconds (user + system, all threads), which a busy shared machine
# does not distort; WEIGHTS_BENCH_WALL=1 switches all three tools to wall-clock time.
# agglo runs with THREADS (default 1) threads. x_spdep = spdep / agglo build (both from
# the layer in memory, knn from centroids computed beforehand); x_pysal = libpysal's
# from_shapefile (read + build) / agglo read + build.
# spdep's knearneigh is a brute-force O(n^2) loop without the dbscan package; it is skipped
# above 20000 cells unless BENCH_SPDEP_KNN_ALL=1. REPS (default 3) repetitions, medians.
set -euo pipefail
BUILD=${1:-build}
shift || true
SIZES=${*:-3000 20000 100000}
REPS=${REPS:-3}
DIR=${BENCH_DIR:-$(mktemp -d /tmp/agglo_bench_weights.XXXXXX)}
PY=/usr/bin/python3
printf '%-8s %-6s %10s %10s %10s %10s %9s %9s\n' cells what agglo read spdep libpysal x_spdep x_pysal
for n in $SIZES; do
  shp="$DIR/vor$n.shp"
  [ -e "$shp" ] || "$BUILD/weights_gen" "$n" "$shp" 2>/dev/null
  a=$("$BUILD/weights_bench" "$shp" "$REPS" "${THREADS:-1}")
  a_read=$(echo "$a" | awk '$1 == "read" { print $2 }')
  a_queen=$(echo "$a" | awk '$1 == "queen" { print $2 }')
  a_knn=$(echo "$a" | awk '$1 == "knn8" { print $2 }')
  knn_all=${BENCH_SPDEP_KNN_ALL:-0}
  r=$(Rscript - "$shp" "$REPS" "$n" "$knn_all" <<'REOF' 2>/dev/null
suppressPackageStartupMessages({ library(sf); library(spdep) })
a <- commandArgs(TRUE); reps <- as.integer(a[2]); n <- as.integer(a[3]); all <- a[4] == "1"
cpu <- function(t) if (Sys.getenv("WEIGHTS_BENCH_WALL") != "") t[["elapsed"]] else t[["user.self"]] + t[["sys.self"]]
med <- function(f) median(sapply(seq_len(reps), function(i) cpu(system.time(f()))))
x <- st_read(a[1], quiet = TRUE)
t_read <- med(function() st_read(a[1], quiet = TRUE))
t_queen <- med(function() poly2nb(x, queen = TRUE))
xy <- st_coordinates(st_centroid(st_geometry(x)))
t_knn <- if (n <= 20000 || all) med(function() knn2nb(knearneigh(xy, k = 8))) else NA
cat(t_read, t_queen, t_knn, "\n")
REOF
)
  p=$($PY - "$shp" "$REPS" <<'PEOF' 2>/dev/null
import os, sys, time, statistics, warnings
warnings.filterwarnings("ignore")
from libpysal.weights import Queen, KNN
shp, reps = sys.argv[1], int(sys.argv[2])
def med(f):
    ts = []
    for _ in range(reps):
        clock = time.perf_counter if os.environ.get("WEIGHTS_BENCH_WALL") else time.process_time
        t = clock(); f(); ts.append(clock() - t)
    return statistics.median(ts)
print(med(lambda: Queen.from_shapefile(shp)), med(lambda: KNN.from_shapefile(shp, k=8)))
PEOF
)
  r_read=$(echo "$r" | awk '{print $1}'); r_queen=$(echo "$r" | awk '{print $2}'); r_knn=$(echo "$r" | awk '{print $3}')
  p_queen=$(echo "$p" | awk '{print $1}'); p_knn=$(echo "$p" | awk '{print $2}')
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || b == "NA" || a <= 0) print "-"; else printf "%.1f", b / a }'; }
  # libpysal's from_shapefile times include reading the file (and centroids): compare them
  # with agglo's read + centroids + build
  a_cent=$(echo "$a" | awk '$1 == "centroids" { print $2 }')
  aq_full=$(awk -v a="$a_queen" -v b="$a_read" 'BEGIN { print a + b }')
  ak_full=$(awk -v a="$a_knn" -v b="$a_read" -v c="$a_cent" 'BEGIN { print a + b + c }')
  printf '%-8s %-6s %10.4f %10.4f %10s %10s %9s %9s\n' "$n" queen "$a_queen" "$a_read" "${r_queen:-NA}" "${p_queen:-NA}" \
    "$(ratio "$a_queen" "$r_queen")" "$(ratio "$aq_full" "$p_queen")"
  printf '%-8s %-6s %10.4f %10.4f %10s %10s %9s %9s\n' "$n" knn8 "$a_knn" "$a_read" "${r_knn:-NA}" "${p_knn:-NA}" \
    "$(ratio "$a_knn" "$r_knn")" "$(ratio "$ak_full" "$p_knn")"
  echo "         (sf::st_read of the layer: ${r_read:-NA} s; agglo read: $a_read s)"
done
pts=$("$BUILD/weights_bench" --points 1000000)
echo "1,000,000 random points, knn(8): $pts"
[ -z "${BENCH_DIR:-}" ] && rm -rf "$DIR"
exit 0
