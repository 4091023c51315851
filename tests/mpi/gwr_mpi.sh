#!/usr/bin/env bash
# agglo gwr under MPI (build with -DAGGLO_WITH_MPI=ON): two ranks on loopback must give
# byte-identical summaries and per-observation results to the single-process run.
# Env: AGGLO (binary), MPIEXEC, TEST_DATA, SCRATCH.
set -u
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,tcp \
  OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1
G="$TEST_DATA/georgia/G_utm.shp"
fails=0
run_case() {
  local name=$1; shift
  "$AGGLO" gwr "$G" "$@" --csv --quiet --out "$SCRATCH/$name.1.csv" > "$SCRATCH/$name.1.txt" \
    || { echo "FAIL: single-process $name"; fails=$((fails + 1)); return; }
  "$MPIEXEC" -n 2 "$AGGLO" gwr "$G" "$@" --csv --quiet --out "$SCRATCH/$name.2.csv" > "$SCRATCH/$name.2.txt" \
    || { echo "FAIL: mpiexec -n 2 $name"; fails=$((fails + 1)); return; }
  cmp -s "$SCRATCH/$name.1.txt" "$SCRATCH/$name.2.txt" || { echo "FAIL: $name summaries differ"; fails=$((fails + 1)); }
  cmp -s "$SCRATCH/$name.1.csv" "$SCRATCH/$name.2.csv" || { echo "FAIL: $name results differ"; fails=$((fails + 1)); }
  grep -q "^bandwidth,bandwidth," "$SCRATCH/$name.2.txt" || { echo "FAIL: $name no summary"; fails=$((fails + 1)); }
}
run_case adaptive --y PctBach --x PctRural,PctPov,PctBlack --coord-x X --coord-y Y
run_case fixed_gauss --y PctBach --x PctRural,PctPov,PctBlack --kernel gaussian --fixed
# 3 ranks: uneven blocks
"$MPIEXEC" -n 3 "$AGGLO" gwr "$G" --y PctBach --x PctRural,PctPov,PctBlack --coord-x X --coord-y Y \
  --csv --quiet > "$SCRATCH/three.txt" && cmp -s "$SCRATCH/adaptive.1.txt" "$SCRATCH/three.txt" \
  || { echo "FAIL: 3 ranks differ"; fails=$((fails + 1)); }
echo "$fails failed"
[ "$fails" = 0 ]
