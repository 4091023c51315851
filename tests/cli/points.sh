#!/usr/bin/env bash
# agglo points end to end against spatstat (tests/data/reference/kde/, written by
# scripts/reference/kde_reference.R): Clark-Evans R, Kest curves through --curve, the L plot,
# the ellipse layer, and the bad-input policy.
source "$(dirname "$0")/lib.bash"
P="$TEST_DATA/points"; R="$TEST_DATA/reference/kde"
"$AGGLO" points --help | grep -q "usage: agglo points" && ok || bad "points --help"
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*(s>1?s:1))}'; }
for nm in redwood japanesepines cells; do
  win=$(grep "^$nm," "$R/windows.csv" | cut -d, -f2- | tr -d ' ')
  out=$("$AGGLO" points "$P/$nm.csv" --crs EPSG:32650 --window "$win" --nn --csv) && ok || bad "points $nm"
  got=$(echo "$out" | grep '^clark_evans,R,' | cut -d, -f3)
  ref=$(grep "^$nm," "$R/clarkevans.csv" | cut -d, -f3 | tr -d ' ')
  near "$got" "$ref" 1e-12 && ok || bad "$nm Clark-Evans R $got != spatstat $ref"
  got=$(echo "$out" | grep '^clark_evans,R_donnelly,' | cut -d, -f3)
  ref=$(grep "^$nm," "$R/clarkevans.csv" | cut -d, -f4 | tr -d ' ')
  near "$got" "$ref" 1e-12 && ok || bad "$nm Donnelly R $got != spatstat $ref"
done
# K curves
"$AGGLO" points "$P/japanesepines.csv" --crs EPSG:32650 --window 0,0,1,1 --k --curve "$SCRATCH/k.csv" \
  --envelope 19 --seed 3 --png "$SCRATCH/l.png" --quiet && ok || bad "points --k"
[ -s "$SCRATCH/l.png" ] && ok || bad "L plot missing"
paste -d, "$SCRATCH/k.csv" "$R/kest_japanesepines.csv" | tail -n +2 | awk -F, '
  { for (c = 3; c <= 4; c++) { a = $c; b = $(c + 8); if (b == "NA") continue; d = a - b; if (d < 0) d = -d;
      if (d > 1e-9 * (b < 0 ? -b : b) + 1e-300) { print "row " NR " col " c ": " a " vs " b; bad = 1 } } }
  END { exit bad }' && ok || bad "K curve differs from spatstat"
# same seed, same envelope, whatever the thread count
"$AGGLO" points "$P/japanesepines.csv" --crs EPSG:32650 --window 0,0,1,1 --k --curve "$SCRATCH/k1.csv" \
  --envelope 19 --seed 3 --threads 1 --quiet
cmp -s "$SCRATCH/k.csv" "$SCRATCH/k1.csv" && ok || bad "envelope differs across thread counts"
# ellipse layer
out=$("$AGGLO" points "$P/shops_clustered.csv" --crs EPSG:32650 --sde --point-weight sales --out "$SCRATCH/sde.gpkg" --json) \
  && ok || bad "points --sde: $out"
ref=$(sed -n 3p "$R/sde_shops.csv" | cut -d, -f5 | tr -d ' ')
got=$(echo "$out" | sed 's/.*"sde_major":\([0-9.e+-]*\).*/\1/')
near "$got" "$ref" 1e-9 && ok || bad "weighted SDE major $got != R $ref"
ogrinfo -so "$SCRATCH/sde.gpkg" sde | grep -q "Feature Count: 1" && ok || bad "ellipse layer"
# bad inputs
expect_fail 1 "coordinates are longitude/latitude (degrees); distances need a projected CRS" -- "$AGGLO" points "$P/nc_plants.csv"
expect_fail 2 "--window" -- "$AGGLO" points "$P/redwood.csv" --crs EPSG:32650 --window 1,1,0,0
expect_fail 1 "outside the window" -- "$AGGLO" points "$P/redwood.csv" --crs EPSG:32650 --window 0,0,1,1
expect_fail 2 "need --k" -- "$AGGLO" points "$P/redwood.csv" --nn --envelope 9
expect_fail 2 "--edge-correction: unknown correction" -- "$AGGLO" points "$P/redwood.csv" --edge-correction translate
finish
