#!/usr/bin/env bash
# I/O and end-to-end benchmark on the data the other benches generate: N (20,000) Voronoi
# regions (bench/weights_gen.c, square of side 1000 sqrt(N) m) with a variable v, and NPTS
# (200,000) uniform points in the same square. Each agglo job runs as the CLI end to end
# (process start to exit, /usr/bin/time, peak RSS), the same job in R (sf/spdep/spatstat)
# and libpysal in the same run, timed by their own timers from the read of the file to the
# result (interpreter and package start-up excluded). Times are CPU seconds (user + system,
# all threads), which a busy shared machine does not distort; BENCH_WALL=1 switches every
# tool to wall-clock seconds. Medians of REPS
# agglo runs and PEER_REPS peer runs; ratio = peer / agglo.
#   bench/io.sh [BUILD_DIR]        env: N=20000 NPTS=200000 REPS=5 PEER_REPS=3 SKIP_PEERS=1
# Targets (issue 11): queen >= 15x libpysal, Moran 999 >= 100x spdep moran.mc, LISA 999
# >= 60x spdep localmoran_perm, KDE >= 10x spatstat density.ppp; writing a layer no dearer
# than reading it.
set -euo pipefail
BUILD=${1:-build}
N=${N:-20000}; NPTS=${NPTS:-200000}; REPS=${REPS:-5}; PEER_REPS=${PEER_REPS:-3}
A=$BUILD/agglo
[ -x "$A" ] && [ -x "$BUILD/weights_gen" ] || { echo "build first (agglo, weights_gen)" >&2; exit 2; }
DIR=${BENCH_DIR:-$(mktemp -d /tmp/agglo_bench_io.XXXXXX)}
mkdir -p "$DIR"
PY=/usr/bin/python3
SIDE=$(awk -v n="$N" 'BEGIN { printf "%.3f", 1000 * sqrt(n) }')
CELL=$(awk -v s="$SIDE" 'BEGIN { printf "%.6f", s / 1000 }')
SIGMA=5000
# ---- data ----
if [ ! -e "$DIR/reg.gpkg" ]; then
  "$BUILD/weights_gen" "$N" "$DIR/vor.shp" 2>/dev/null
  # v: a smooth trend plus noise, so the statistics have something to find
  ogr2ogr -f "ESRI Shapefile" "$DIR/reg.shp" "$DIR/vor.shp" -dialect SQLite \
    -sql "SELECT *, (ID * 7919 % 1009) / 100.0 + ST_X(ST_Centroid(geometry)) / 10000.0 AS v FROM vor" 2>/dev/null ||
  ogr2ogr -f "ESRI Shapefile" "$DIR/reg.shp" "$DIR/vor.shp" -dialect SQLite \
    -sql "SELECT *, (ID * 7919 % 1009) / 100.0 AS v FROM vor"
  ogr2ogr -f GPKG "$DIR/reg.gpkg" "$DIR/reg.shp" -nln reg
  ogr2ogr -f CSV "$DIR/reg.csv" "$DIR/reg.shp" -lco GEOMETRY=AS_WKT
  awk -v n="$NPTS" -v s="$SIDE" 'BEGIN { srand(11); print "x,y"; for (i = 0; i < n; i++) printf "%.3f,%.3f\n", rand() * s, rand() * s }' > "$DIR/pts.csv"
  ogr2ogr -f GPKG "$DIR/pts.gpkg" "$DIR/pts.csv" -oo X_POSSIBLE_NAMES=x -oo Y_POSSIBLE_NAMES=y -a_srs EPSG:32650 -nln pts
fi
# ---- timing helpers ----
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# t_agglo ARGS...: median wall seconds of REPS runs; sets RSS (MB, last run)
t_agglo() {
  local f=$DIR/time.txt ts=()
  for _ in $(seq "$REPS"); do
    /usr/bin/time -f "%e %M %U %S" -o "$f" "$A" "$@" > /dev/null 2>&1 || { echo "agglo $* failed" >&2; "$A" "$@" > /dev/null; exit 1; }
    if [ "${BENCH_WALL:-0}" = 1 ]; then ts+=("$(awk '{ print $1 }' "$f")"); else ts+=("$(awk '{ print $3 + $4 }' "$f")"); fi
  done
  awk '{ printf "%.0f", $2 / 1024 }' "$f" > "$DIR/rss.txt"
  printf '%s\n' "${ts[@]}" | median
}
row() { # what agglo peer peer_name (agglo "" = the previous row's, rss from the last t_agglo)
  local r=- RSS; RSS=$(cat "$DIR/rss.txt" 2>/dev/null || echo -)
  if [ -z "$2" ]; then set -- "$1" "$LAST" "$3" "$4"; else LAST=$2; fi
  [ "$3" != - ] && r=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", (a > 0) ? b / a : 0 }')
  printf '%-40s %9s %8s %9s %-30s %7s\n' "$1" "$2" "$RSS" "$3" "$4" "$r"
}
R() { Rscript -e "$1" "$DIR" "$PEER_REPS" 2>/dev/null | tail -1; }
peers=1; [ "${SKIP_PEERS:-0}" = 1 ] && peers=0
command -v Rscript > /dev/null || peers=0
RHEAD='suppressPackageStartupMessages({library(sf); library(spdep)}); a <- commandArgs(TRUE); d <- a[1]; reps <- as.integer(a[2]); cpu <- function(t) if (Sys.getenv("BENCH_WALL") == "1") t[["elapsed"]] else t[["user.self"]] + t[["sys.self"]]; med <- function(f) median(sapply(seq_len(reps), function(i) cpu(system.time(f()))));'
echo "data: $N regions, $NPTS points in $DIR; agglo $REPS runs, peers $PEER_REPS runs; seconds"
printf '%-40s %9s %8s %9s %-30s %7s\n' job agglo rss_MB peer "(peer)" ratio
# ---- reading ----
for f in reg.shp reg.gpkg reg.csv pts.csv pts.gpkg; do
  extra=(); case $f in pts.csv) extra=(--crs EPSG:32650);; reg.csv) extra=(--crs EPSG:32650);; esac
  ta=$(t_agglo info "$DIR/$f" "${extra[@]}")
  tp=-; pn=-
  if [ $peers = 1 ]; then
    case $f in
      *.csv) tp=$(R "$RHEAD f <- file.path(d, '$f'); cat(med(function() if (grepl('pts', f)) st_as_sf(read.csv(f), coords = c('x','y')) else st_as_sf(read.csv(f), wkt = 'WKT')), '\n')"); pn="sf st_as_sf(read.csv)";;
      *) tp=$(R "$RHEAD cat(med(function() st_read(file.path(d, '$f'), quiet = TRUE)), '\n')"); pn="sf st_read";;
    esac
  fi
  row "info $f (read)" "$ta" "$tp" "$pn"
done
# ---- writing: the same LISA (analytic) with and without --out; difference = the write ----
base=$(t_agglo lisa "$DIR/reg.gpkg" --var v)
for e in gpkg csv shp geojson fgb; do
  tw=$(t_agglo lisa "$DIR/reg.gpkg" --var v --out "$DIR/w.$e")
  row "write $N rows .$e (lisa+out - lisa)" "$(awk -v a="$tw" -v b="$base" 'BEGIN { printf "%.2f", a - b }')" - -
done
# ---- statistics end to end ----
ta=$(t_agglo weights "$DIR/reg.shp" --queen --out "$DIR/w.gal")
tp=-; tr=-
if [ $peers = 1 ]; then
  tp=$($PY - "$DIR/reg.shp" "$PEER_REPS" <<'PYEOF' 2>/dev/null | tail -1
import os, sys, time, statistics, warnings
warnings.filterwarnings("ignore")
from libpysal.weights import Queen
f, reps = sys.argv[1], int(sys.argv[2])
clock = time.perf_counter if os.environ.get("BENCH_WALL") == "1" else time.process_time
ts = []
for _ in range(reps):
    t0 = clock(); w = Queen.from_shapefile(f); ts.append(clock() - t0)
print(statistics.median(ts))
PYEOF
)
  tr=$(R "$RHEAD cat(med(function() { x <- st_read(file.path(d, 'reg.shp'), quiet = TRUE); nb <- poly2nb(x, queen = TRUE); write.nb.gal(nb, file.path(d, 'r.gal')) }), '\n')")
fi
row "weights --queen --out w.gal" "$ta" "$tp" "libpysal Queen.from_shapefile"
row "  (same job)" "" "$tr" "spdep st_read+poly2nb+gal"
ta=$(t_agglo moran "$DIR/reg.shp" --var v --permutations 999)
tp=-
[ $peers = 1 ] && tp=$(R "$RHEAD cat(med(function() { x <- st_read(file.path(d, 'reg.shp'), quiet = TRUE); lw <- nb2listw(poly2nb(x, queen = TRUE)); moran.mc(x\$v, lw, nsim = 999) }), '\n')")
row "moran --permutations 999" "$ta" "$tp" "spdep read+queen+moran.mc"
ta=$(t_agglo lisa "$DIR/reg.shp" --var v --permutations 999 --out "$DIR/x.gpkg")
tp=-
[ $peers = 1 ] && tp=$(R "$RHEAD cat(med(function() { x <- st_read(file.path(d, 'reg.shp'), quiet = TRUE); lw <- nb2listw(poly2nb(x, queen = TRUE)); l <- localmoran_perm(x\$v, lw, nsim = 999); x\$Ii <- l[, 1]; x\$p <- l[, 5]; st_write(x, file.path(d, 'r.gpkg'), quiet = TRUE, delete_dsn = TRUE) }), '\n')")
row "lisa --permutations 999 --out gpkg" "$ta" "$tp" "spdep localmoran_perm+write"
ta=$(t_agglo kde "$DIR/pts.csv" --crs EPSG:32650 --cell "$CELL" --extent "0,0,$SIDE,$SIDE" --kernel gaussian --bandwidth "$SIGMA" --out "$DIR/k.tif")
tp=-
[ $peers = 1 ] && tp=$(Rscript -e 'suppressPackageStartupMessages(library(spatstat)); a <- commandArgs(TRUE); d <- a[1]; reps <- as.integer(a[2]); s <- as.numeric(a[3]);
  f <- function() { p <- read.csv(file.path(d, "pts.csv")); X <- ppp(p$x, p$y, c(0, s), c(0, s)); density(X, sigma = 5000, dimyx = c(1000, 1000), edge = FALSE) }
  cpu <- function(t) if (Sys.getenv("BENCH_WALL") == "1") t[["elapsed"]] else t[["user.self"]] + t[["sys.self"]]
  cat(median(sapply(seq_len(reps), function(i) cpu(system.time(f())))), "\n")' "$DIR" "$PEER_REPS" "$SIDE" 2>/dev/null | tail -1)
row "kde $NPTS pts 1000x1000 --out tif" "$ta" "$tp" "spatstat read+density.ppp"
ta=$(t_agglo --help)
row "agglo --help (start-up)" "$ta" - -
