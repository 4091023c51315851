#!/usr/bin/env bash
# agglo moran / geary / getis / lisa / hotspot end to end. Reference numbers come from
# tests/data/reference/autocorr/ (R spdep 1.2-7, scripts/reference/autocorr.R); the CLI builds
# its own queen weights, so this also checks the weights agree with spdep::poly2nb here.
source "$(dirname "$0")/lib.bash"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
REFD="$TEST_DATA/reference/autocorr"
COL="$TEST_DATA/columbus/columbus.shp"
NC="$TEST_DATA/nc/nc.shp"

ref() { awk -F, -v s="$1" -v v="$2" -v st="$3" -v t="$4" -v f="$5" \
  '$1==s && $2==v && $3==st && $4==t && $5==f {print $6}' "$REFD/global.csv"; }
# json_num KEY [SECTION]: number of "KEY" (first occurrence after SECTION) in a JSON line
json_num() { $PY -c "import json,sys; d=json.load(sys.stdin); d=d[sys.argv[2]] if len(sys.argv)>2 else d; print(repr(float(d[sys.argv[1]])))" "$@"; }
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*s) }'; }

for cmd in moran geary getis lisa hotspot; do
  "$AGGLO" $cmd --help | grep -q "usage: agglo $cmd" && ok || bad "$cmd --help"
done

# global Moran on columbus CRIME (queen, W) = spdep moran.test
out=$("$AGGLO" moran "$COL" --var CRIME --json 2>/dev/null) || bad "moran columbus"
I=$(echo "$out" | json_num I)
close "$I" "$(ref columbus CRIME W moran_rand I)" 1e-10 && ok || bad "moran I $I"
z=$(echo "$out" | json_num z randomisation)
close "$z" "$(ref columbus CRIME W moran_rand Z)" 1e-10 && ok || bad "moran z $z"
echo "$out" | grep -q '"alternative":"two-sided"' && ok || bad "alternative not stated"
# nc BIR74
out=$("$AGGLO" moran "$NC" --var BIR74 --json 2>/dev/null) || bad "moran nc"
close "$(echo "$out" | json_num I)" "$(ref nc BIR74 W moran_rand I)" 1e-10 && ok || bad "moran nc I"
# Geary and General G
out=$("$AGGLO" geary "$COL" --var HOVAL --json 2>/dev/null) || bad "geary"
close "$(echo "$out" | json_num C)" "$(ref columbus HOVAL W geary_rand C)" 1e-10 && ok || bad "geary C"
out=$("$AGGLO" getis "$COL" --var CRIME --transform B --json 2>/dev/null) || bad "getis"
close "$(echo "$out" | json_num G)" "$(ref columbus CRIME B globalG G)" 1e-10 && ok || bad "getis G"
close "$(echo "$out" | json_num z randomisation)" "$(ref columbus CRIME B globalG Z)" 1e-9 && ok || bad "getis z"

# permutations: same seed -> same output whatever --threads
a=$("$AGGLO" moran "$NC" --var BIR74 --permutations 999 --seed 3 --threads 1 --csv 2>/dev/null)
b=$("$AGGLO" moran "$NC" --var BIR74 --permutations 999 --seed 3 --threads 2 --csv 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "moran permutations differ across threads"
echo "$a" | grep -q "^permutation,seed,3" && ok || bad "seed not reported"
a=$("$AGGLO" lisa "$NC" --var BIR74 --permutations 199 --seed 3 --threads 1 --table "$SCRATCH/l1.csv" --quiet)
b=$("$AGGLO" lisa "$NC" --var BIR74 --permutations 199 --seed 3 --threads 2 --table "$SCRATCH/l2.csv" --quiet)
cmp -s "$SCRATCH/l1.csv" "$SCRATCH/l2.csv" && ok || bad "lisa permutations differ across threads"

# bivariate and EB Moran run and say what they are
"$AGGLO" moran "$COL" --var CRIME --bivariate INC --permutations 99 2>/dev/null | grep -q "Bivariate" && ok || bad "bivariate"
out=$("$AGGLO" moran "$NC" --rate SID74,BIR74 --permutations 99 --json 2>/dev/null) || bad "EB moran"
close "$(echo "$out" | json_num I)" "$(ref nc SID74/BIR74 W ebmoran I)" 1e-10 && ok || bad "EB I"

# LISA: fields in the output layer and the CSV equal spdep localmoran
"$AGGLO" lisa "$COL" --var CRIME --out "$SCRATCH/lisa.gpkg" --table "$SCRATCH/lisa.csv" \
  --png "$SCRATCH/clusters.png" --sig-png "$SCRATCH/sig.png" --scatter-png "$SCRATCH/scatter.png" \
  2>/dev/null > "$SCRATCH/lisa.txt" && ok || bad "lisa columbus"
$PY - "$SCRATCH/lisa.csv" "$REFD/columbus_CRIME_local.csv" <<'PY' && ok || bad "lisa values"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1]))); r = list(csv.DictReader(open(sys.argv[2])))
assert len(a) == len(r) == 49
for x, y in zip(a, r):
    for f, g in (("LISA_I", "Ii"), ("LISA_E", "E"), ("LISA_VAR", "V"), ("LISA_Z", "Z")):
        u, v = float(x[f]), float(y[g])
        assert abs(u - v) <= 1e-10 * max(abs(v), 1e-12), (f, u, v)
PY
"$AGGLO" info "$SCRATCH/lisa.gpkg" --json | grep -q '"LISA_CL":"integer"' && ok || bad "lisa gpkg fields"
for f in clusters sig scatter; do
  head -c 8 "$SCRATCH/$f.png" | od -An -tx1 | grep -q "89 50 4e 47" && ok || bad "$f.png is not a PNG"
done
grep -q "high_high" "$SCRATCH/lisa.txt" && ok || bad "lisa summary"

# Gi* z-scores = spdep localG(include.self, W)
"$AGGLO" hotspot "$COL" --var CRIME --table "$SCRATCH/gi.csv" --png "$SCRATCH/hot.png" --quiet > /dev/null \
  && ok || bad "hotspot"
$PY - "$SCRATCH/gi.csv" "$REFD/columbus_CRIME_local.csv" <<'PY' && ok || bad "Gi* values"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1]))); r = list(csv.DictReader(open(sys.argv[2])))
for x, y in zip(a, r):
    u, v = float(x["GiZScore"]), float(y["GiStarW"])
    assert abs(u - v) <= 1e-10 * max(abs(v), 1e-12), (u, v)
    b = int(x["Gi_Bin"]); z = abs(u)
    want = 3 if z > 2.5758293 else 2 if z > 1.959964 else 1 if z > 1.6448536 else 0
    assert b == (want if u > 0 else -want), (b, u)
PY

# spdep styles U and minmax (styles.csv: moran.test / geary.test under nb2listw(style=))
sref() { awk -F, -v s="$1" -v v="$2" -v st="$3" -v t="$4" -v f="$5" \
  '$1==s && $2==v && $3==st && $4==t && $5==f {print $6}' "$REFD/styles.csv"; }
for st in U minmax; do
  out=$("$AGGLO" moran "$COL" --var CRIME --transform $st --json 2>/dev/null) || bad "moran --transform $st"
  close "$(echo "$out" | json_num I)" "$(sref columbus CRIME $st moran_rand I)" 1e-10 && ok || bad "moran $st I"
  close "$(echo "$out" | json_num z randomisation)" "$(sref columbus CRIME $st moran_rand Z)" 1e-10 && ok || bad "moran $st z"
  close "$(echo "$out" | json_num z normality)" "$(sref columbus CRIME $st moran_norm Z)" 1e-10 && ok || bad "moran $st z norm"
  echo "$out" | grep -q "\"transform\":\"$st\"" && ok || bad "transform $st not reported"
  out=$("$AGGLO" moran "$NC" --var SID74 --transform $st --json 2>/dev/null) || bad "moran nc $st"
  out=$("$AGGLO" geary "$NC" --var BIR74 --transform $st --json 2>/dev/null) || bad "geary nc $st"
  close "$(echo "$out" | json_num C)" "$(sref nc BIR74 $st geary_rand C)" 1e-10 && ok || bad "geary $st C"
  for cmd in getis lisa hotspot; do
    "$AGGLO" $cmd "$COL" --var CRIME --transform $st --quiet > /dev/null && ok || bad "$cmd --transform $st"
  done
done
"$AGGLO" moran "$COL" --var CRIME --transform MinMax --quiet > /dev/null && ok || bad "--transform MinMax"

# hotspot --permutations: reproducible across thread counts, analytic fields unchanged, pseudo p
# within Monte Carlo error of esda G_Local's conditional permutation (localG_esda.csv p_ties,
# 99999 draws, ties counted in both tails; 4.5 combined standard errors, as in
# tests/unit/test_autocorr.c)
"$AGGLO" hotspot "$COL" --var CRIME --permutations 999 --seed 5 --threads 1 --table "$SCRATCH/gp1.csv" --quiet > /dev/null \
  && ok || bad "hotspot --permutations"
"$AGGLO" hotspot "$COL" --var CRIME --permutations 999 --seed 5 --threads 2 --table "$SCRATCH/gp2.csv" --quiet > /dev/null
cmp -s "$SCRATCH/gp1.csv" "$SCRATCH/gp2.csv" && ok || bad "hotspot permutations differ across threads"
out=$("$AGGLO" hotspot "$COL" --var CRIME --permutations 999 --seed 5 --p-adjust fdr --json 2>/dev/null)
echo "$out" | grep -q '"permutations":999' && ok || bad "permutations not reported: $out"
echo "$out" | grep -q '"bins_from":"permutation' && ok || bad "bins source not reported: $out"
"$AGGLO" hotspot "$COL" --var CRIME --gi --transform B --permutations 9999 --seed 9 --table "$SCRATCH/gp3.csv" --quiet > /dev/null
$PY - "$SCRATCH/gp1.csv" "$SCRATCH/gi.csv" "$SCRATCH/gp3.csv" "$REFD/localG_esda.csv" <<'PY' && ok || bad "hotspot permutation values"
import csv, math, sys
p = list(csv.DictReader(open(sys.argv[1]))); a = list(csv.DictReader(open(sys.argv[2])))
assert len(p) == len(a) == 49
for x, y in zip(p, a):
    assert x["GiZScore"] == y["GiZScore"] and x["GiPValue"] == y["GiPValue"]
    # folded p: at most 1/2 plus the share of permutations tying the observed G (rare here)
    q = float(x["GiPSim"]); assert 1 / 1000 <= q <= 0.51, q
    assert x["GiPAdj"] == x["GiPSim"]
    lev = 3 if q <= 0.01 else 2 if q <= 0.05 else 1 if q <= 0.10 else 0
    assert int(x["Gi_Bin"]) == (lev if float(x["GiZScore"]) > 0 else -lev)
# Gi with binary weights: conditional permutation p is invariant to row scaling, so the W-style
# reference applies (same neighbour sets, equal weights within a row)
r = [row for row in csv.DictReader(open(sys.argv[4])) if row["set"] == "columbus" and row["var"] == "CRIME" and row["stat"] == "Gi"]
g = list(csv.DictReader(open(sys.argv[3])))
for x, y in zip(g, r):
    u, v = float(x["GiPSim"]), float(y["p_ties"])
    se = math.sqrt(v * (1 - v) * (1 / 9999 + 1 / 99999))
    assert abs(u - v) <= 4.5 * se + 1 / 10000 + 1 / 100000, (x["id"], u, v)
PY
expect_fail 2 "--permutations" -- "$AGGLO" hotspot "$COL" --var CRIME --permutations -5

# missing values: refused with the ids, or dropped with a count
$PY - "$SCRATCH/grid.geojson" <<'PY'
import json, sys
feats = []
for i in range(5):
    for j in range(5):
        v = None if (i, j) == (2, 3) else float((i * 7 + j * 3) % 11)
        ring = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1], [i, j]]
        feats.append({"type": "Feature", "properties": {"name": f"c{i}{j}", "v": v, "neg": i - 2.5},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
json.dump({"type": "FeatureCollection", "features": feats}, open(sys.argv[1], "w"))
PY
expect_fail 1 "1 row with missing values in v (ids c23)" -- "$AGGLO" moran "$SCRATCH/grid.geojson" --var v --id name --quiet
expect_fail 1 "missing value" -- "$AGGLO" lisa "$SCRATCH/grid.geojson" --var v --out "$SCRATCH/g.gpkg" --quiet
[ ! -e "$SCRATCH/g.gpkg" ] && ok || bad "output written despite the error"
err=$("$AGGLO" lisa "$SCRATCH/grid.geojson" --var v --drop-missing --out "$SCRATCH/g.gpkg" 2>&1 >/dev/null) \
  && ok || bad "drop-missing failed: $err"
echo "$err" | grep -q "dropped 1 row" && ok || bad "drop-missing not reported: $err"
"$AGGLO" info "$SCRATCH/g.gpkg" --json | grep -q '"features":24' && ok || bad "drop-missing output rows"

# usage and input errors
expect_fail 2 "--var FIELD is required" -- "$AGGLO" moran "$COL"
expect_fail 2 "--transform" -- "$AGGLO" moran "$COL" --var CRIME --transform Q
expect_fail 2 "--alternative" -- "$AGGLO" moran "$COL" --var CRIME --alternative up
expect_fail 2 "needs --permutations\|give --permutations" -- "$AGGLO" lisa "$COL" --var CRIME --bivariate INC
expect_fail 1 "NOPE" -- "$AGGLO" moran "$COL" --var NOPE
expect_fail 1 "nope.shp" -- "$AGGLO" lisa "$SCRATCH/nope.shp" --var CRIME
expect_fail 1 "/nonexistent-dir" -- "$AGGLO" lisa "$COL" --var CRIME --png /nonexistent-dir/x.png --quiet
expect_fail 1 "needs values >= 0" -- "$AGGLO" getis "$SCRATCH/grid.geojson" --var neg --drop-missing --quiet
# degenerate input: a refusal or a warning saying what was done, never a confident wrong answer.
# deg.geojson: a 6 x 6 grid plus a far island; k constant, v varying, big = v 2^1019 (up to
# 1.1e308), sub = v 2^-1065 (subnormal, exact: v is a multiple of 1/2); zero.gwt: rook
# neighbours all with weight 0.
$PY - "$SCRATCH/deg.geojson" "$SCRATCH/zero.gwt" <<'PY'
import json, sys
feats, lines = [], []
for i in range(6):
    for j in range(6):
        v = float((i * 7 + j * 3) % 11) + 0.5 * (i == 0)
        ring = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1], [i, j]]
        feats.append({"type": "Feature", "properties": {"name": f"c{i}{j}", "v": v, "k": 3.0,
                      "big": v * 2.0**1019, "sub": v * 2.0**-1065},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
        for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
            if 0 <= a < 6 and 0 <= b < 6:
                lines.append(f"c{i}{j} c{a}{b} 0")
ring = [[20, 20], [21, 20], [21, 21], [20, 21], [20, 20]]
feats.append({"type": "Feature", "properties": {"name": "isle", "v": 4.0, "k": 3.0,
              "big": 4.0 * 2.0**1019, "sub": 4.0 * 2.0**-1065},
              "geometry": {"type": "Polygon", "coordinates": [ring]}})
lines += ["isle c00 0", "c00 isle 0"]
json.dump({"type": "FeatureCollection", "features": feats}, open(sys.argv[1], "w"))
open(sys.argv[2], "w").write("0 37 deg name\n" + "\n".join(lines) + "\n")
PY
DEG="$SCRATCH/deg.geojson"
# a constant variable is refused by every command (hotspot used to report 99 % hot and cold
# spots from z = +-inf)
for cmd in moran geary getis lisa hotspot; do
  expect_fail 1 "deg.geojson: field 'k' is constant" -- "$AGGLO" $cmd "$DEG" --var k --id name --quiet
done
# values near 1e308 and subnormal values: the same results as v (they used to give NaN
# statistics and NaN hot-spot bins, or "constant")
for f in v big sub; do
  "$AGGLO" hotspot "$DEG" --var $f --id name --table "$SCRATCH/hot_$f.csv" --json 2>/dev/null \
    | sed 's/"variable":"[a-z]*"//' > "$SCRATCH/hot_$f.json" || bad "hotspot --var $f"
  "$AGGLO" lisa "$DEG" --var $f --id name --permutations 99 --table "$SCRATCH/lisa_$f.csv" --quiet \
    || bad "lisa --var $f"
  "$AGGLO" moran "$DEG" --var $f --id name --permutations 99 --json 2>/dev/null \
    | sed 's/"variable":"[a-z]*"//' > "$SCRATCH/moran_$f.json" || bad "moran --var $f"
done
for f in big sub; do
  for o in hot_$f.csv hot_$f.json lisa_$f.csv moran_$f.json; do
    cmp -s "$SCRATCH/$o" "$SCRATCH/${o/_$f/_v}" && ok || bad "$o differs from the same run on v"
  done
done
grep -q '"I":[-0-9.e]*,' "$SCRATCH/moran_big.json" && ok || bad "moran on 1e308 values: no finite I"
# islands in hotspot: warned, labelled, NA, counted apart from "Not Significant"
err=$("$AGGLO" hotspot "$DEG" --var v --id name --table "$SCRATCH/hot_isle.csv" --json 2>&1 >"$SCRATCH/hot_isle.json")
echo "$err" | grep -q "warning: Gi\*: 1 observation(s) without neighbours" && ok || bad "hotspot island not warned: $err"
grep -q '^isle,NA,NA,NA,0,no neighbours' "$SCRATCH/hot_isle.csv" && ok || bad "island row: $(grep isle "$SCRATCH/hot_isle.csv")"
grep -q '"no_neighbours":1' "$SCRATCH/hot_isle.json" && grep -q '"not_significant":36' "$SCRATCH/hot_isle.json" \
  && ok || bad "island counts: $(cat "$SCRATCH/hot_isle.json")"
# LISA with all-zero weights: every permuted statistic ties the observed 0, so p = 1 and
# nothing is significant (it used to label every region significant with p = 1/(N+1))
for t in V W; do
  err=$("$AGGLO" lisa "$DEG" --var v --id name --weights "$SCRATCH/zero.gwt" --gwt-values weights --transform $t --permutations 99 \
        --json 2>&1 >"$SCRATCH/lisa_zero.json")
  grep -q '"not_significant":37' "$SCRATCH/lisa_zero.json" && ok || bad "zero weights ($t): $(cat "$SCRATCH/lisa_zero.json")"
  grep -q '"all_permutations_tied":37' "$SCRATCH/lisa_zero.json" && ok || bad "ties not reported ($t)"
  echo "$err" | grep -q "every permuted statistic tied with the observed one: pseudo p = 1" && ok \
    || bad "ties not warned ($t): $err"
done
# numbers: a subnormal is a finite number; NaN, infinity, overflow and garbage are not
"$AGGLO" lisa "$COL" --var CRIME --alpha 1e-320 --quiet && ok || bad "--alpha 1e-320 refused"
for v in 1e999 nan inf; do
  expect_fail 2 "--alpha: '$v' is not a finite number" -- "$AGGLO" lisa "$COL" --var CRIME --alpha "$v"
done
expect_fail 2 "--alpha: '0.05x' is not a number" -- "$AGGLO" lisa "$COL" --var CRIME --alpha 0.05x
[ -z "$(ls -A "$SCRATCH" | grep -i tmp)" ] && ok || bad "temporary files left: $(ls -A "$SCRATCH")"
finish
