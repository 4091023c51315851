#!/usr/bin/env bash
# Times `agglo join` (bench_join) against R sf::st_join on the same files and prints the ratio.
# usage: bench/join.sh [BUILD_DIR] [N] [G]   (run by hand; needs r-cran-sf for the comparison)
set -euo pipefail
BUILD="${1:-build}"; N="${2:-1000000}"; G="${3:-55}"; DIR=/tmp/agglo_bench_join
out=$("$BUILD/bench_join" "$N" "$G" "$DIR")
echo "$out" | grep -v AGGLO_JOIN_SECONDS
ours=$(echo "$out" | sed -n 's/AGGLO_JOIN_SECONDS=//p')
if command -v Rscript >/dev/null && Rscript -e 'library(sf)' >/dev/null 2>&1; then
  ref=$(Rscript -e '
    suppressPackageStartupMessages(library(sf))
    r <- st_read("'$DIR'/regions.gpkg", quiet = TRUE)
    p <- read.csv("'$DIR'/points.csv"); p <- st_as_sf(p, coords = c("x", "y"), crs = 32650)
    t <- replicate(3, system.time(j <- lengths(st_intersects(r, p)))["elapsed"])
    cat(median(t), "\n")')
  echo "R sf st_intersects (same data): median ${ref} s"
  awk -v a="$ours" -v b="$ref" 'BEGIN { printf "ratio sf/agglo: %.1fx\n", b / a }'
fi
