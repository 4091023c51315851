#!/usr/bin/env bash
# agglo gwr --multiscale (MGWR) end to end. Reference numbers: tests/data/reference/mgwr/
# (independent base-R back-fitting with lm.wfit per location, scripts/reference/mgwr_reference.R)
# and the bandwidths printed in mgwr's documentation for its Georgia example
# (MGWR docstring: Sel_BW(coords, y, X, multi=True).search(multi_bw_min=[2]) ->
# [92.0, 101.0, 136.0, 158.0]).
source "$(dirname "$0")/lib.bash"
REFD="$TEST_DATA/reference/mgwr"
G="$TEST_DATA/georgia/G_utm.shp"
C="$TEST_DATA/columbus/columbus.shp"
GARGS=(--y PctBach --x PctFB,PctBlack,PctRural --coord-x X --coord-y Y --standardize)

kv() { awk -F, -v k="$2" '$1==k {print $2}' "$1"; }
json_num() { python3 -c "import json,sys; d=json.load(sys.stdin); d=d[sys.argv[2]] if len(sys.argv)>2 else d; print(repr(float(d[sys.argv[1]])))" "$@"; }
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d=a-b; if (d<0) d=-d; s=b<0?-b:b; if (s<1) s=1; exit !(d <= t*s) }'; }

"$AGGLO" gwr --help | grep -q -- "--multiscale" && ok || bad "--help lacks --multiscale"

# mgwr's documented Georgia example: bandwidths [92, 101, 136, 158]; diagnostics = R reference
out=$("$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --bw-min 2 --json --quiet) || bad "mgwr georgia"
python3 - "$out" "$REFD" <<'EOF' && ok || bad "georgia bandwidths / diagnostics"
import csv, json, sys
d = json.loads(sys.argv[1]); ref = sys.argv[2]
cov = {r["name"]: r for r in csv.DictReader(open(ref + "/georgia_min2_cov.csv"))}
glob = {r["key"]: float(r["value"]) for r in csv.DictReader(open(ref + "/georgia_min2_global.csv"))}
def close(a, b, t): assert abs(a - b) <= t * max(1, abs(b)), (a, b)
for v, want in zip(("Intercept", "PctFB", "PctBlack", "PctRural"), (92, 101, 136, 158)):
    assert d["covariates"][v + "_bandwidth"] == want, (v, d["covariates"][v + "_bandwidth"])
    close(d["covariates"][v + "_enp"], float(cov[v]["enp"]), 1e-8)
    close(d["covariates"][v + "_adj_t_95"], float(cov[v]["crit_t"]), 1e-8)
for k in ("aicc", "rss", "tr_s", "adj_r2", "bic"):
    close(d["diagnostics"][k], glob[k], 1e-9)
assert d["mgwr"]["iterations"] == glob["iterations"]
EOF

# --mgwr alias, per-observation CSV against the R reference (Columbus, raw scale)
"$AGGLO" gwr "$C" --y CRIME --x INC,HOVAL --coord-x X --coord-y Y --mgwr --bw-min 10 \
  --out "$SCRATCH/c.csv" --quiet >/dev/null || bad "columbus csv"
python3 - "$SCRATCH/c.csv" "$REFD/columbus_obs.csv" <<'EOF' && ok || bad "columbus csv values"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
assert len(a) == len(b) == 49
for ra, rb in zip(a, b):
    for k in ("b_Intercept", "b_INC", "b_HOVAL", "se_Intercept", "se_INC", "se_HOVAL"):
        x, y = float(ra[k]), float(rb[k])
        assert abs(x - y) <= 1e-8 * max(1, abs(y)), (k, x, y)
    assert abs(float(ra["yhat"]) + float(ra["resid"]) - float(ra["CRIME"])) < 1e-9
    assert ra["sig_INC"] in ("-1", "0", "1")
EOF

# per-covariate lists, layer output and maps
"$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --bw-min 2,2,2,2 --bw-max 159 --out "$SCRATCH/g.gpkg" \
  --png "$SCRATCH/m.png" --quiet >/dev/null || bad "gpkg out"
[ -s "$SCRATCH/g.gpkg" ] && ok || bad "no gpkg"
for v in Intercept PctFB PctBlack PctRural; do
  [ -s "$SCRATCH/m_$v.png" ] && [ -s "$SCRATCH/m_${v}_sig.png" ] && ok || bad "no map $v"
done
ogrinfo -q -sql "SELECT COUNT(*) AS c FROM g WHERE sig_PctRural = -1" "$SCRATCH/g.gpkg" 2>/dev/null \
  | grep -q "c (Integer) = 159" && ok || bad "significance field"

# threads and --no-inference do not change the estimates; --no-inference has no se columns
a=$("$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --csv --quiet --threads 1)
b=$("$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --csv --quiet --threads 2)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "threads change the result"
"$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --no-inference --out "$SCRATCH/ni.csv" --quiet >/dev/null \
  || bad "no inference"
"$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --out "$SCRATCH/wi.csv" --quiet >/dev/null || bad "inference"
python3 - "$SCRATCH/ni.csv" "$SCRATCH/wi.csv" <<'EOF' && ok || bad "no-inference estimates"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
assert "se_PctFB" not in a[0] and "se_PctFB" in b[0]
for ra, rb in zip(a, b):
    assert ra["b_PctFB"] == rb["b_PctFB"] and ra["yhat"] == rb["yhat"]
EOF
# the back-fitting history with --trace; fixed kernel runs
"$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --trace --quiet | grep -q "iter_1_bw_PctFB" && ok || bad "trace"
out=$("$AGGLO" gwr "$C" --y CRIME --x INC,HOVAL --coord-x X --coord-y Y --multiscale --fixed \
  --kernel gaussian --json --quiet) || bad "fixed"
close "$(echo "$out" | json_num aicc diagnostics)" "$(kv "$REFD/columbus_gs_f_global.csv" aicc)" 1e-9 \
  && ok || bad "fixed aicc"

# great-circle distances on lon/lat; --bandwidth as the initial GWR bandwidth
expect_ok - "$AGGLO" gwr "$SAMPLE/counties.shp" --y internet --x roads --great-circle --multiscale --no-inference --quiet
a=$("$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --bandwidth 117 --no-inference --csv --quiet)
b=$("$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --no-inference --csv --quiet)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "--bandwidth 117 (the searched initial bandwidth) differs"

# errors: one clear line, exit 1 (runtime) or 2 (usage), no output left behind
expect_fail 2 "--bw-min: give one value or 4" -- "$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --bw-min 2,3
expect_fail 2 "Gaussian family only" -- "$AGGLO" gwr "$G" --y PctBach --x PctFB --multiscale --family poisson
expect_fail 2 "need --multiscale" -- "$AGGLO" gwr "$G" --y PctBach --x PctFB --no-inference
expect_fail 2 "not available with --multiscale" -- "$AGGLO" gwr "$G" --y PctBach --x PctFB --multiscale --predict "$G" --predict-out "$SCRATCH/p.csv"
expect_fail 1 "squares.shp: field 'value' has 2 NULL" -- "$AGGLO" gwr "$TEST_DATA/bad/null_values/squares.shp" --y value --x count --multiscale
expect_fail 1 "G_utm.shp: .*initial GWR" -- "$AGGLO" gwr "$G" "${GARGS[@]}" --multiscale --init-bw 5 --out "$SCRATCH/never.gpkg"
[ ! -e "$SCRATCH/never.gpkg" ] && ok || bad "output written on failure"
finish
