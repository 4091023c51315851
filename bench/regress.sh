#!/usr/bin/env bash
# Benchmark: `agglo regress --model lag` and `--model error` end to end (read, queen weights,
# fit, report) against R spdep + spatialreg (st_read, poly2nb, nb2listw, lagsarlm/errorsarlm
# with method = "Matrix") on the same generated layer, in the same run; then the 1,000,000-cell
# lag model with impacts (1000 x 1000 lattice, rook weights from a GAL file, data from a CSV).
# Data: bench/regress_gen.c (y drawn from a lag model, rho 0.5).
#   bench/regress.sh [BUILD_DIR] [N]         (default: build 20000)
# Env: REPS (default 3) runs of each, medians; GRID (default 1000; 0 skips the lattice);
#      SKIP_R=1 times agglo only; BENCH_DIR keeps the generated files there.
# Times: /usr/bin/time, CPU = user + sys (all threads; a busy shared machine does not distort
# it) and wall. The R times are of the whole Rscript process and, separately, of the work in
# it (proc.time around read + weights + fit, no package loading). x_cpu = R / agglo CPU.
set -euo pipefail
BUILD=${1:-build}
N=${2:-20000}
REPS=${REPS:-3}
GRID=${GRID:-1000}
DIR=${BENCH_DIR:-$(mktemp -d /tmp/agglo_bench_regress.XXXXXX)}
A=$BUILD/agglo
[ -x "$A" ] && [ -x "$BUILD/regress_gen" ] || { echo "build first: cmake --build $BUILD" >&2; exit 1; }
vor="$DIR/vor$N.gpkg"
[ -e "$vor" ] || "$BUILD/regress_gen" voronoi "$N" "$vor" 2>/dev/null
med() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# one timed run: prints "cpu wall peak_kib"
timed() {
  /usr/bin/time -f "%U %S %e %M" -o "$DIR/time.txt" "$@" >"$DIR/out.txt" 2>"$DIR/err.txt" ||
    { cat "$DIR/err.txt" >&2; return 1; }
  awk '{ printf "%.3f %.3f %d\n", $1 + $2, $3, $4 }' "$DIR/time.txt"
}
printf '%-7s %-6s %9s %9s %9s %11s %9s %9s %8s %8s\n' n model agglo_cpu agglo_wall R_cpu R_work_cpu R_wall \
  R_kib x_cpu x_work
declare -A ACPU RCPU RWORK
for model in lag error; do
  cpu=(); wall=()
  for _ in $(seq "$REPS"); do
    t=$(timed "$A" regress "$vor" --y Y --x X1,X2 --model "$model" --quiet)
    cpu+=("${t%% *}"); w=${t#* }; wall+=("${w%% *}")
  done
  ac=$(printf '%s\n' "${cpu[@]}" | med); aw=$(printf '%s\n' "${wall[@]}" | med)
  ACPU[$model]=$ac
  if [ "${SKIP_R:-0}" = 1 ] || ! command -v Rscript >/dev/null; then
    printf '%-7s %-6s %9s %9s %9s %11s %9s %9s %8s %8s\n' "$N" "$model" "$ac" "$aw" - - - - - -
    continue
  fi
  rc=(); rw=(); rwall=(); rk=()
  for _ in $(seq "$REPS"); do
    t=$(timed Rscript - "$vor" "$model" <<'REOF'
suppressPackageStartupMessages({ library(sf); library(spdep); library(spatialreg) })
a <- commandArgs(TRUE)
t0 <- proc.time()
x <- st_read(a[1], quiet = TRUE)
lw <- nb2listw(poly2nb(x, queen = TRUE), style = "W")
f <- if (a[2] == "lag") lagsarlm else errorsarlm
fit <- f(Y ~ X1 + X2, data = st_drop_geometry(x), listw = lw, method = "Matrix", quiet = TRUE)
t1 <- proc.time() - t0
cat("work", t1[["user.self"]] + t1[["sys.self"]], "par", if (a[2] == "lag") fit$rho else fit$lambda,
    "LL", fit$LL, "\n")
REOF
)
    rc+=("${t%% *}"); w=${t#* }; rwall+=("${w%% *}"); rk+=("${t##* }")
    rw+=("$(awk '{ print $2 }' "$DIR/out.txt")")
  done
  r_cpu=$(printf '%s\n' "${rc[@]}" | med); r_wall=$(printf '%s\n' "${rwall[@]}" | med)
  r_work=$(printf '%s\n' "${rw[@]}" | med); r_kib=$(printf '%s\n' "${rk[@]}" | med)
  RCPU[$model]=$r_cpu; RWORK[$model]=$r_work
  printf '%-7s %-6s %9s %9s %9s %11s %9s %9s %8.1f %8.1f\n' "$N" "$model" "$ac" "$aw" "$r_cpu" "$r_work" \
    "$r_wall" "$r_kib" "$(awk -v a="$ac" -v b="$r_cpu" 'BEGIN { print b / a }')" \
    "$(awk -v a="$ac" -v b="$r_work" 'BEGIN { print b / a }')"
  echo "        R:     $(cat "$DIR/out.txt")"
  "$A" regress "$vor" --y Y --x X1,X2 --model "$model" --json 2>/dev/null |
    /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); k='rho' if 'rho' in d else 'lambda'; print('        agglo: par', d[k]['estimate'], 'LL', d['model']['log_likelihood'])"
done
if [ -n "${RCPU[lag]:-}" ] && [ -n "${RCPU[error]:-}" ]; then
  awk -v a="${ACPU[lag]}" -v b="${ACPU[error]}" -v r="${RCPU[lag]}" -v s="${RCPU[error]}" \
    -v u="${RWORK[lag]}" -v v="${RWORK[error]}" 'BEGIN {
    printf "lag + error, n = %s: agglo %.2f s CPU; R %.2f s CPU (process), %.2f s (work): x%.1f (process), x%.1f (work)\n",
      "'"$N"'", a + b, r + s, u + v, (r + s) / (a + b), (u + v) / (a + b) }'
fi
if [ "$GRID" -gt 0 ]; then
  csv="$DIR/grid$GRID.csv"; gal="$DIR/grid$GRID.gal"
  [ -e "$csv" ] || "$BUILD/regress_gen" grid "$GRID" "$csv" "$gal" 2>/dev/null
  OMP_NUM_THREADS=${THREADS:-2} OPENBLAS_NUM_THREADS=${THREADS:-2} /usr/bin/time -v -o "$DIR/timev.txt" \
    "$A" regress "$csv" --x-field x --y-field y --crs EPSG:3857 --weights "$gal" --id ID --y Y \
    --x X1,X2 --model lag --impacts >"$DIR/out.txt" 2>"$DIR/err.txt" || { cat "$DIR/err.txt" >&2; exit 1; }
  awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } /Elapsed/ { e = $2 }
    /Maximum resident/ { m = $2 } END {
    printf "lattice %sx%s (%d cells), lag + impacts, %s threads: wall %s, CPU %.1f s (user %s, sys %s), peak RSS %.0f MiB\n",
      "'"$GRID"'", "'"$GRID"'", '"$GRID"' * '"$GRID"', "'"${THREADS:-2}"'", e, u + s, u, s, m / 1024 }' "$DIR/timev.txt"
  grep -E "W_Y|Log-determinant" "$DIR/out.txt" | sed 's/^/        /'
fi
[ -z "${BENCH_DIR:-}" ] && rm -rf "$DIR"
exit 0
