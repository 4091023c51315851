#!/usr/bin/env bash
# agglo joincount / localgeary / spatialgini end to end. Reference numbers come from
# tests/data/reference/esda2/ (R spdep 1.2-7: scripts/reference/esda2.R; PySAL inequality
# v1.1.2: scripts/reference/esda2.py); the CLI builds its own queen weights of columbus, which
# agree with spdep::poly2nb (tests/cli/autocorr.sh).
source "$(dirname "$0")/lib.bash"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
REFD="$TEST_DATA/reference/esda2"
COL="$TEST_DATA/columbus/columbus.shp"

jc() { awk -F, -v s="$1" -v st="$2" -v r="$3" -v f="$4" \
  '$1==s && $3==st && $4==r && $5==f {print $6}' "$REFD/joincount.csv"; }
gini() { awk -F, -v s="$1" -v f="$2" '$1==s && $3==f {print $4}' "$REFD/gini_spatial.csv"; }
json_num() { $PY -c "import json,sys; d=json.load(sys.stdin); d=d[sys.argv[2]] if len(sys.argv)>2 else d; print(repr(float(d[sys.argv[1]])))" "$@"; }
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d=a-b; if (d<0) d=-d; s=b<0?-b:b; if (s<1) s=1; exit !(d <= t*s) }'; }

for cmd in joincount localgeary spatialgini; do
  "$AGGLO" $cmd --help | grep -q "usage: agglo $cmd" && ok || bad "$cmd --help"
done

# join counts of columbus CP (binary weights by default) = spdep joincount.test / multi
out=$("$AGGLO" joincount "$COL" --var CP --json 2>/dev/null) || bad "joincount columbus"
for row in 0:0 1:1 1:0; do
  for f in joins:joins expected:E variance:V z:z; do
    close "$(echo "$out" | json_num "${f%%:*}" "$row")" "$(jc columbus B "$row" "${f##*:}")" 1e-9 \
      && ok || bad "joincount $row ${f%%:*}"
  done
done
close "$(echo "$out" | json_num p 1:1)" "$(jc columbus B 1:1 test_p)" 1e-8 && ok || bad "joincount p"
close "$(echo "$out" | json_num z jtot)" "$(jc columbus B Jtot z)" 1e-9 && ok || bad "joincount Jtot"
echo "$out" | grep -q '"alternative":"greater"' && ok || bad "joincount alternative"
# row-standardised weights
out=$("$AGGLO" joincount "$COL" --var CP --transform W --json 2>/dev/null) || bad "joincount W"
close "$(echo "$out" | json_num variance 1:0)" "$(jc columbus W 1:0 V)" 1e-9 && ok || bad "joincount W V"
# permutations: the same draws for any thread count
a=$("$AGGLO" joincount "$COL" --var CP --permutations 499 --seed 5 --threads 1 --csv 2>/dev/null)
b=$("$AGGLO" joincount "$COL" --var CP --permutations 499 --seed 5 --threads 2 --csv 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "joincount permutations depend on threads"
echo "$a" | grep -q "pseudo_p" && ok || bad "joincount pseudo p missing"
expect_fail 2 "var" -- "$AGGLO" joincount "$COL"
expect_fail 1 "NOSUCH" -- "$AGGLO" joincount "$COL" --var NOSUCH
expect_fail 1 "1 level" -- "$AGGLO" joincount "$COL" --var CP --where "CP = 1"

# local Geary of columbus CRIME = spdep localC; its output layer, table and map
expect_ok -- "$AGGLO" localgeary "$COL" --var CRIME --permutations 999 --seed 2 \
  --table "$SCRATCH/lg.csv" --out "$SCRATCH/lg.gpkg" --png "$SCRATCH/lg.png" --quiet
[ -s "$SCRATCH/lg.png" ] && ok || bad "localgeary png"
worst=$($PY - "$SCRATCH/lg.csv" "$REFD/localC.csv" <<'PYEOF'
import csv, sys
ours = [float(r["LG_C"]) for r in csv.DictReader(open(sys.argv[1]))]
ref = [float(r["Ci"]) for r in csv.DictReader(open(sys.argv[2]))
       if r["set"] == "columbus" and r["vars"] == "CRIME"]
assert len(ours) == len(ref) == 49
print(max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(ours, ref)))
PYEOF
) && close "$worst" 0 1e-10 && ok || bad "localgeary statistic vs spdep ($worst)"
a=$("$AGGLO" localgeary "$COL" --var CRIME,INC --seed 9 --threads 1 --table /dev/stdout --quiet 2>/dev/null)
b=$("$AGGLO" localgeary "$COL" --var CRIME,INC --seed 9 --threads 2 --table /dev/stdout --quiet 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "localgeary permutations depend on threads"
out=$("$AGGLO" localgeary "$COL" --var CRIME,INC,HOVAL --json 2>/dev/null) || bad "localgeary mv"
echo "$out" | grep -q '"Positive":' && ok || bad "multivariate classes"
# a string field as the categorical variable: the cluster labels just written
out=$("$AGGLO" joincount "$SCRATCH/lg.gpkg" --var LG_LABEL --json 2>/dev/null) \
  && echo "$out" | grep -q '"High-High:High-High"' && ok || bad "joincount of a string field"

# spatial Gini of columbus INC = PySAL inequality Gini_Spatial
out=$("$AGGLO" spatialgini "$COL" --var INC --json 2>/dev/null) || bad "spatialgini"
close "$(echo "$out" | json_num gini)" "$(gini columbus g)" 1e-12 && ok || bad "gini"
close "$(echo "$out" | json_num sad_neighbours)" "$(gini columbus wg)" 1e-12 && ok || bad "wg"
close "$(echo "$out" | json_num nonneighbour_share)" "$(gini columbus wcg_share)" 1e-12 && ok || bad "share"
close "$(echo "$out" | json_num polarization)" "$(gini columbus polarization)" 1e-12 && ok || bad "polarization"
expect_fail 1 "negative" -- "$AGGLO" spatialgini "$COL" --var "INC - 20"

# polygonal windows: 300 uniform points in the union of the nc counties (EPSG:32119), the
# window read from nc.shp and reprojected to the points' CRS = spatstat clarkevans / Kest
NCP="$REFD/win_nc_points.csv"
win() { awk -F, -v f="$1" '$1==f {print $2}' "$REFD/win_nc.csv"; }
out=$("$AGGLO" points "$NCP" --crs EPSG:32119 --window "$TEST_DATA/nc/nc.shp" --nn --k --json 2>/dev/null) \
  || bad "points --window"
close "$(echo "$out" | json_num area clark_evans)" "$(win area)" 1e-9 && ok || bad "window area"
close "$(echo "$out" | json_num R clark_evans)" "$(win R)" 1e-9 && ok || bad "window Clark-Evans R"
close "$(echo "$out" | json_num rmax ripley)" "$(win rmax)" 1e-12 && ok || bad "window rmax"
kiso=$(tail -1 "$REFD/win_nc_K.csv" | cut -d, -f3)
close "$(echo "$out" | json_num K_iso_rmax ripley)" "$kiso" 1e-8 && ok || bad "window K iso"
echo "$out" | grep -q '"R_donnelly":null' && ok || bad "Donnelly should be NA in a polygon"
# a point outside the window is refused
{ head -2 "$NCP"; echo "0,0"; } > "$SCRATCH/outside.csv"
expect_fail 1 "outside the window" -- "$AGGLO" points "$SCRATCH/outside.csv" --crs EPSG:32119 \
  --window "$TEST_DATA/nc/nc.shp" --nn
# kde --edge in the polygon: cells outside are nodata, the edge-corrected mass stays ~ n
out=$("$AGGLO" kde "$NCP" --crs EPSG:32119 --window "$TEST_DATA/nc/nc.shp" --edge --cell 4000 \
  --bandwidth 15000 --out "$SCRATCH/k.tif" --json 2>/dev/null) || bad "kde --window"
kept=$(echo "$out" | json_num cells_kept); nc_=$(echo "$out" | json_num ncols); nr_=$(echo "$out" | json_num nrows)
awk -v k="$kept" -v a="$nc_" -v b="$nr_" 'BEGIN { exit !(k > 0 && k < 0.7 * a * b) }' && ok || bad "kde window mask ($kept)"
close "$(echo "$out" | json_num integral)" 300 0.03 && ok || bad "kde window integral"
expect_fail 1 "outside the window" -- "$AGGLO" kde "$SCRATCH/outside.csv" --crs EPSG:32119 \
  --window "$TEST_DATA/nc/nc.shp" --edge --cell 4000 --bandwidth 15000
finish
