#!/usr/bin/env bash
# agglo gwr end to end. Reference numbers: tests/data/reference/gwr/ (base R lm.wfit per
# location, scripts/reference/gwr_reference.R; mgwr 2.2.1, scripts/reference/
# gwr_mgwr_reference.py) and GWR4's published Georgia summary
# (tests/data/georgia/georgia_BS_NN_summary.txt).
source "$(dirname "$0")/lib.bash"
REFD="$TEST_DATA/reference/gwr"
G="$TEST_DATA/georgia/G_utm.shp"
GARGS=(--y PctBach --x PctRural,PctPov,PctBlack --coord-x X --coord-y Y)

kv() { awk -F, -v k="$2" '$1==k {print $2}' "$1"; }
json_num() { python3 -c "import json,sys; d=json.load(sys.stdin); d=d[sys.argv[2]] if len(sys.argv)>2 else d; print(repr(float(d[sys.argv[1]])))" "$@"; }
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d=a-b; if (d<0) d=-d; s=b<0?-b:b; if (s<1) s=1; exit !(d <= t*s) }'; }

"$AGGLO" gwr --help | grep -q "usage: agglo gwr" && ok || bad "gwr --help"
"$AGGLO" gwr --help >/dev/null; [ $? = 0 ] && ok || bad "--help exit code"

# golden-section search = R's brute-force minimum (93), AICc = R reference
out=$("$AGGLO" gwr "$G" "${GARGS[@]}" --json --quiet) || bad "gwr georgia"
bw=$(echo "$out" | json_num bandwidth bandwidth)
[ "$bw" = "$(kv "$REFD/georgia_bs_nn_selected.csv" scan_min).0" ] && ok || bad "bandwidth $bw"
close "$(echo "$out" | json_num aicc gwr)" "$(kv "$REFD/georgia_bs_nn_sel_global.csv" aicc)" 1e-10 \
  && ok || bad "aicc"
close "$(echo "$out" | json_num tr_s gwr)" "$(kv "$REFD/georgia_bs_nn_sel_global.csv" tr_s)" 1e-10 \
  && ok || bad "tr_s"
# GWR4 published model (bandwidth 90): AICc 896.462831, global AICc 908.319245
out=$("$AGGLO" gwr "$G" "${GARGS[@]}" --bandwidth 90 --se-gwr4 --json --quiet) || bad "gwr bw 90"
close "$(echo "$out" | json_num aicc gwr)" 896.462831 1e-9 && ok || bad "GWR4 AICc"
close "$(echo "$out" | json_num aicc "global regression (OLS)")" 908.319245 1e-9 && ok || bad "GWR4 global AICc"
close "$(echo "$out" | json_num adj_r2 gwr)" 0.534505 1e-6 && ok || bad "GWR4 adj R2"

# interval search with step 1 = the brute-force scan
out=$("$AGGLO" gwr "$G" "${GARGS[@]}" --search interval --interval 1 --json --quiet) || bad "interval"
[ "$(echo "$out" | json_num bandwidth bandwidth)" = "93.0" ] && ok || bad "interval bandwidth"

# per-observation CSV equals the R reference
"$AGGLO" gwr "$G" "${GARGS[@]}" --bandwidth 93 --out "$SCRATCH/g.csv" --quiet >/dev/null || bad "csv out"
python3 - "$SCRATCH/g.csv" "$REFD/georgia_bs_nn_sel_obs.csv" <<'EOF' && ok || bad "csv values"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
assert len(a) == len(b) == 159
for ra, rb in zip(a, b):
    for ka, kb in [("b_PctRural", "beta_PctRural"), ("se_PctPov", "se_PctPov"), ("yhat", "yhat"),
                   ("influence", "influence"), ("local_r2", "local_r2")]:
        x, y = float(ra[ka]), float(rb[kb])
        assert abs(x - y) <= 1e-8 * max(1, abs(y)), (ka, x, y)
    assert ra["singular"] == "0"
EOF

# layer output + maps
"$AGGLO" gwr "$G" "${GARGS[@]}" --bandwidth 93 --out "$SCRATCH/g.gpkg" --png "$SCRATCH/coef.png" --quiet >/dev/null \
  || bad "gpkg out"
[ -s "$SCRATCH/g.gpkg" ] && ok || bad "no gpkg"
for v in Intercept PctRural PctPov PctBlack; do
  [ -s "$SCRATCH/coef_$v.png" ] && [ -s "$SCRATCH/coef_${v}_sig.png" ] && ok || bad "no map $v"
done
ogrinfo -q -sql "SELECT COUNT(*) AS c FROM g WHERE sig_PctRural = -1" "$SCRATCH/g.gpkg" 2>/dev/null \
  | grep -q "c (Integer) = 159" && ok || bad "significance field"

# same numbers whatever --threads
a=$("$AGGLO" gwr "$G" "${GARGS[@]}" --kernel gaussian --fixed --csv --quiet --threads 1)
b=$("$AGGLO" gwr "$G" "${GARGS[@]}" --kernel gaussian --fixed --csv --quiet --threads 2)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "threads change the result"

# prediction at the observations reproduces the fit
"$AGGLO" gwr "$G" --y PctBach --x PctRural,PctPov,PctBlack --bandwidth 80 --out "$SCRATCH/fit.csv" \
  --predict "$G" --predict-out "$SCRATCH/pred.csv" --quiet >/dev/null || bad "predict"
python3 - "$SCRATCH/fit.csv" "$SCRATCH/pred.csv" <<'EOF' && ok || bad "predict values"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
for ra, rb in zip(a, b):
    for k in ("b_Intercept", "b_PctBlack", "yhat"):
        assert abs(float(ra[k]) - float(rb[k])) <= 1e-9 * max(1, abs(float(ra[k]))), k
EOF

# Poisson with an offset on the sample townships
out=$("$AGGLO" gwr "$SAMPLE/counties_utm.gpkg" --y internet --x roads --family poisson --offset pop --json --quiet) \
  || bad "poisson"
python3 -c "import json,sys; d=json.loads(sys.argv[1]); g=d['gwr']; assert 0 < g['pct_deviance_explained'] < 1; assert g['deviance'] < d['global regression (Poisson GLM)']['deviance']" "$out" \
  && ok || bad "poisson diagnostics"
# great-circle on lon/lat
expect_ok - "$AGGLO" gwr "$SAMPLE/counties.shp" --y internet --x roads --great-circle --bandwidth 60 --quiet

# errors: one clear line, exit 1 (runtime) or 2 (usage), no output left behind
expect_fail 1 "counties.shp: coordinates are geographic" -- "$AGGLO" gwr "$SAMPLE/counties.shp" --y internet --x roads --out "$SCRATCH/never.gpkg"
[ ! -e "$SCRATCH/never.gpkg" ] && ok || bad "output written on failure"
expect_fail 1 "G_utm.shp: no field 'PctFoo'" -- "$AGGLO" gwr "$G" --y PctBach --x PctFoo
expect_fail 1 "squares.shp: field 'value' has 2 NULL" -- "$AGGLO" gwr "$TEST_DATA/bad/null_values/squares.shp" --y value --x count
expect_ok - "$AGGLO" gwr "$TEST_DATA/bad/null_values/squares.shp" --y value --x count --drop-missing --bandwidth 7 --quiet
expect_fail 1 "singular" -- "$AGGLO" gwr "$G" "${GARGS[@]}" --bandwidth 4
expect_fail 1 "between 1 and the number of observations" -- "$AGGLO" gwr "$G" "${GARGS[@]}" --bandwidth 500
expect_fail 2 "--kernel" -- "$AGGLO" gwr "$G" --y PctBach --x PctPov --kernel foo
expect_fail 2 "--y and --x are required" -- "$AGGLO" gwr "$G" --y PctBach
expect_fail 2 "cv is for Gaussian" -- "$AGGLO" gwr "$G" --y PctBach --x PctPov --family poisson --criterion cv
expect_fail 1 "Poisson response must be a non-negative count" -- "$AGGLO" gwr "$G" --y PctBach --x PctPov --family poisson
expect_fail 1 "binomial (logistic) response must be 0/1" -- "$AGGLO" gwr "$G" --y PctRural --x PctPov --family binomial
expect_fail 2 "offset needs --family poisson" -- "$AGGLO" gwr "$G" --y PctBach --x PctPov --offset TotPop90
expect_fail 1 "no_such.shp" -- "$AGGLO" gwr "$TEST_DATA/no_such.shp" --y a --x b

# Poisson GWR standard errors and t values = mgwr 2.2.1 (Tokyo mortality, GWR4's sample,
# offset, adaptive bisquare 100; scripts/reference/gwr_mgwr_reference.py); the significance
# flag follows |t| > the adjusted critical t mgwr reports
"$AGGLO" gwr "$REFD/tokyo_input.csv" --x-field X_CENTROID --y-field Y_CENTROID --y db2564 \
  --x OCC_TEC,OWNH,POP65,UNEMP --offset eb2564 --family poisson --bandwidth 100 \
  --out "$SCRATCH/tokyo.csv" --quiet >/dev/null || bad "tokyo poisson"
python3 - "$SCRATCH/tokyo.csv" "$REFD/mgwr_tokyo_pois_bs_nn_100_obs.csv" "$REFD/mgwr_tokyo_pois_bs_nn_100_global.csv" <<'EOF' && ok || bad "tokyo se/t/sig"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
crit = float(dict(l.strip().split(",") for l in open(sys.argv[3]))["critical_t"])
assert len(a) == len(b) == 262
for x, y in zip(a, b):
    for v in ("Intercept", "OCC_TEC", "OWNH", "POP65", "UNEMP"):
        for k in ("se", "t"):
            g, w = float(x[k + "_" + v]), float(y[k + "_" + v])
            assert abs(g - w) <= 1e-7 * max(abs(w), 1), (k, v, g, w)
        t = float(y["t_" + v])
        assert int(x["sig_" + v]) == ((t > crit) - (t < -crit)) or abs(abs(t) - crit) < 1e-6
EOF
# a search range collapsing to one bandwidth (n = 30 < 40 + 2p) warns naming the range
awk -F, 'NR <= 31' "$TEST_DATA/georgia/GData_utm.csv" > "$SCRATCH/g30.csv"
err=$("$AGGLO" gwr "$SCRATCH/g30.csv" --x-field X --y-field Y --y PctBach --x PctRural,PctPov --json 2>&1 >/dev/null)
echo "$err" | grep -q "search range \[46, 30\] collapses to the single bandwidth 30" && ok || bad "collapse warning: $err"
# an empty search range is refused (it used to fit the maximum silently)
expect_fail 2 "--bw-min 45 is larger than --bw-max 10" -- "$AGGLO" gwr "$G" "${GARGS[@]}" --bw-min 45 --bw-max 10
[ "$("$AGGLO" gwr "$G" "${GARGS[@]}" --bw-min 45 --bw-max 10 2>&1 | wc -l)" = 1 ] && ok || bad "one line"
# a constant response is refused naming the file and the field (t was 3e15)
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0 ",C" } NR > 1 { print $0 ",7" }' \
  "$TEST_DATA/georgia/GData_utm.csv" > "$SCRATCH/gconst.csv"
expect_fail 1 "^agglo: .*gconst.csv: the response field C is constant" -- "$AGGLO" gwr "$SCRATCH/gconst.csv" --x-field X --y-field Y --y C --x PctRural --bandwidth 50
[ "$("$AGGLO" gwr "$SCRATCH/gconst.csv" --x-field X --y-field Y --y C --x PctRural --bandwidth 50 2>&1 | wc -l)" = 1 ] && ok || bad "one line"
finish
