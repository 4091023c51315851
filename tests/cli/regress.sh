#!/usr/bin/env bash
# agglo regress end to end against tests/data/reference/regress/ (R spdep/spatialreg/lmtest,
# scripts/reference/regress.R): Columbus CRIME ~ INC + HOVAL with Anselin's GAL file.
source "$(dirname "$0")/lib.bash"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
REF="$TEST_DATA/reference/regress/columbus_gal.csv"
COL="$TEST_DATA/columbus/columbus.shp"
GAL="$TEST_DATA/columbus/columbus.gal"
ref() { awk -F, -v m="$1" -v f="$2" '$1==m && $2==f {print $3}' "$REF"; }
# jget KEY... : the number at that path of the JSON object on stdin
jget() { $PY -c "import json,sys,functools; print(repr(float(functools.reduce(lambda d, k: d[k], sys.argv[1:], json.load(sys.stdin)))))" "$@"; }
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*s) }'; }

"$AGGLO" regress --help | grep -q "usage: agglo regress" && ok || bad "regress --help"
out=$("$AGGLO" regress "$COL" --y CRIME --x INC,HOVAL --weights "$GAL" --json 2>/dev/null) || bad "ols"
close "$(echo "$out" | jget spatial_dependence lm_lag)" "$(ref ols lm_lag)" 1e-6 && ok || bad "lm_lag"
close "$(echo "$out" | jget spatial_dependence moran_z)" "$(ref ols moran_z)" 1e-6 && ok || bad "moran_z"
close "$(echo "$out" | jget diagnostics white)" "$(ref ols white)" 1e-6 && ok || bad "white"
echo "$out" | grep -q '"hint"' && ok || bad "no hint"
# the text report: GeoDa's layout, the LM tests in their own block with the decision rule
txt=$("$AGGLO" regress "$COL" --y CRIME --x INC,HOVAL --weights "$GAL" 2>/dev/null) || bad "ols text"
echo "$txt" | grep -q "^SUMMARY OF OUTPUT: ORDINARY LEAST SQUARES ESTIMATION" && ok || bad "title block"
echo "$txt" | grep -q "^REGRESSION DIAGNOSTICS" && ok || bad "regression diagnostics block"
echo "$txt" | grep -A2 "^DIAGNOSTICS FOR SPATIAL DEPENDENCE" | grep -q "MI/DF" && ok || bad "spatial block header"
lmrow=$(echo "$txt" | awk '/^Lagrange Multiplier \(lag\)/ { print $(NF-1) }')
close "$lmrow" "$(ref ols lm_lag)" 1e-4 && ok || bad "LM-lag row ($lmrow)"
echo "$txt" | grep -q "^Decision rule (Anselin 2005): LM tests point to the spatial lag model" && ok || bad "decision rule"
out=$("$AGGLO" regress "$COL" --y CRIME --x INC,HOVAL --weights "$GAL" --model lag --impacts --json 2>/dev/null) || bad "lag"
close "$(echo "$out" | jget rho estimate)" "$(ref lag rho)" 1e-6 && ok || bad "rho"
close "$(echo "$out" | jget rho std_error)" "$(ref lag rho_se)" 1e-6 && ok || bad "rho se"
close "$(echo "$out" | jget impacts INC direct)" "$(ref lag direct_0)" 1e-5 && ok || bad "direct"
out=$("$AGGLO" regress "$COL" --y CRIME --x INC,HOVAL --weights "$GAL" --model error --method sparse --json 2>/dev/null) || bad "error sparse"
close "$(echo "$out" | jget lambda estimate)" "$(ref error_matrix lambda)" 1e-6 && ok || bad "lambda sparse"
"$AGGLO" regress "$COL" --y CRIME --x INC,HOVAL --weights "$GAL" --model lag --out "$SCRATCH/res.gpkg" --png "$SCRATCH/res.png" >/dev/null 2>&1 && ok || bad "--out/--png"
[ -s "$SCRATCH/res.gpkg" ] && [ -s "$SCRATCH/res.png" ] && ok || bad "outputs missing"
expect_fail 2 "model" -- "$AGGLO" regress "$COL" --y CRIME --x INC --model probit
expect_fail 2 "required" -- "$AGGLO" regress "$COL" --y CRIME
expect_fail 1 "NOSUCH" -- "$AGGLO" regress "$COL" --y CRIME --x NOSUCH
finish
