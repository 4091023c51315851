#!/usr/bin/env bash
# agglo concentration end to end against the R implementation of the published formulas
# (tests/data/reference/kde/conc_*.csv from scripts/reference/kde_reference.R) on nc.
source "$(dirname "$0")/lib.bash"
R="$TEST_DATA/reference/kde"
"$AGGLO" concentration --help | grep -q "usage: agglo concentration" && ok || bad "help"
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*(s>1?s:1))}'; }
out=$("$AGGLO" concentration "$TEST_DATA/nc/nc.shp" --count SID74 --base BIR74 --out "$SCRATCH/lq.csv" --csv) \
  && ok || bad "concentration nc: $out"
for pair in gini_locational:gini theil:theil hhi:hhi cr:cr entropy:entropy; do
  k=${pair%%:*}; r=${pair##*:}
  got=$(echo "$out" | grep "^indices,$k," | cut -d, -f3)
  ref=$(grep "^$r," "$R/conc_nc_sid74_bir74.csv" | cut -d, -f2 | tr -d ' ')
  near "$got" "$ref" 1e-12 && ok || bad "$k $got != R $ref"
done
got=$(echo "$out" | grep "^ellison_glaeser,gamma," | cut -d, -f3)
ref=$(grep "^eg_gamma," "$R/conc_nc_sid74_bir74.csv" | cut -d, -f2 | tr -d ' ')
near "$got" "$ref" 1e-12 && ok || bad "EG gamma $got != R $ref"
head -1 "$SCRATCH/lq.csv" | grep -q "lq,share_count,share_base" && ok || bad "lq columns"
# LQ of the first county against R
# (the first column is quoted WKT: take the third field from the end)
got=$(awk -F, 'NR==2{print $(NF-2)}' "$SCRATCH/lq.csv")
ref=$(sed -n 2p "$R/conc_nc_sid74_bir74_lq.csv" | tr -d ' ')
near "$got" "$ref" 1e-12 && ok || bad "LQ[1] $got != R $ref"
# Ellison-Glaeser from plants with sizes (the plants' coordinates are NAD27 like nc)
out=$("$AGGLO" concentration "$TEST_DATA/nc/nc.shp" --count SID74 --base BIR74 \
      --shops "$TEST_DATA/points/nc_plants.csv" --crs EPSG:4267 --size size --csv) && ok || bad "EG plants: $out"
got=$(echo "$out" | grep "^ellison_glaeser,gamma," | cut -d, -f3)
ref=$(grep "^eg_gamma," "$R/conc_nc_plants_eg.csv" | cut -d, -f2 | tr -d ' ')
near "$got" "$ref" 1e-10 && ok || bad "EG gamma (plants) $got != R $ref"
# base = area needs a projected CRS
expect_fail 1 "nc.shp: coordinates are longitude/latitude (degrees); areas need a projected CRS" -- "$AGGLO" concentration "$TEST_DATA/nc/nc.shp" --count SID74 --base-area
"$AGGLO" concentration "$TEST_DATA/nc/nc.shp" --count SID74 --base-area --to EPSG:32617 --quiet && ok || bad "base-area"
# bad inputs
expect_fail 2 "--count FIELD is required" -- "$AGGLO" concentration "$TEST_DATA/nc/nc.shp" --base BIR74
expect_fail 2 "one of --base" -- "$AGGLO" concentration "$TEST_DATA/nc/nc.shp" --count SID74
expect_fail 1 "no field 'shops'" -- "$AGGLO" concentration "$TEST_DATA/nc/nc.shp" --count shops --base BIR74 --out "$SCRATCH/x.gpkg"
[ ! -e "$SCRATCH/x.gpkg" ] && ok || bad "partial output"
finish
