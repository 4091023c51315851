#!/usr/bin/env bash
# agglo panel end to end: against plm / spatialreg / spdep values (scripts/reference/panel.R,
# tests/data/reference/panel/) on plm's Produc (48 US states 1970-86, us_states queen W) and
# the synthetic sample_shapes/counties_panel.csv; data checks (balance, strays, wide layout).
# splm 1.6-5 (scripts/reference/panel_splm.R): time/two-way fixed effects (direct approach,
# doubly stochastic torus W) and spatial random effects (panel_check.py). The two-way Lee-Yu
# transformation has no independent reference: checked by the Lee-Yu identities only.
source "$(dirname "$0")/lib.bash"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
SS="$TEST_DATA/../../sample_shapes"
"$AGGLO" panel --help | grep -q "usage: agglo panel" && ok || bad "panel --help"
$PY "$(dirname "$0")/panel_check.py" "$AGGLO" "$TEST_DATA" && ok || bad "reference values"
common=(--id code --time year --y y --x x1,x2 --weights "$SS/counties_queen.gal" --json)
# wide layout gives the same fit as the long one
a=$("$AGGLO" panel "$SS/counties_panel.csv" "${common[@]}" 2>/dev/null | $PY -c "import json,sys; print(json.load(sys.stdin)['Spatial']['rho'])")
b=$("$AGGLO" panel "$SS/counties_panel_wide.csv" --wide --id code --y y --x x1,x2 --weights "$SS/counties_queen.gal" --json 2>/dev/null | $PY -c "import json,sys; print(json.load(sys.stdin)['Spatial']['rho'])")
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "wide vs long: $a $b"
# a table needs no coordinates; the old --x-field/--y-field flags are accepted and ignored
d=$("$AGGLO" panel "$SS/counties_panel.csv" "${common[@]}" --x-field year --y-field y 2>/dev/null | $PY -c "import json,sys; print(json.load(sys.stdin)['Spatial']['rho'])")
[ -n "$d" ] && [ "$d" = "$a" ] && ok || bad "--x-field/--y-field: $d vs $a"
# Lee-Yu two-way changes rho (n_eff, log-determinant) relative to the direct approach
c=$("$AGGLO" panel "$SS/counties_panel.csv" "${common[@]}" --no-lee-yu 2>/dev/null | $PY -c "import json,sys; print(json.load(sys.stdin)['Spatial']['rho'])")
[ -n "$c" ] && [ "$c" != "$a" ] && ok || bad "--no-lee-yu: $c vs $a"
# unbalanced: a row removed -> error listing the missing pair
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
head -n -1 "$SS/counties_panel.csv" > "$tmp/unb.csv"
miss=$(tail -n 1 "$SS/counties_panel.csv" | cut -d, -f1,2 | sed 's/,/, /')
err=$("$AGGLO" panel "$tmp/unb.csv" "${common[@]}" 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "unbalanced" && echo "$err" | grep -qF "($miss)" && ok || bad "unbalanced: $err"
# a stray id not in the weights
{ cat "$SS/counties_panel.csv"; echo "999999999,2013,1,1,1"; } > "$tmp/stray.csv"
err=$("$AGGLO" panel "$tmp/stray.csv" "${common[@]}" 2>&1 >/dev/null); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "not in the weights: 999999999" && ok || bad "stray: $err"
# --out: the region effects on the polygons
"$AGGLO" panel "$SS/counties_panel.csv" --id code --time year --y y --x x1,x2 --weights queen \
  --regions "$SS/counties.shp" --region-id code --effects individual \
  --out "$tmp/fe.gpkg" --quiet 2>/dev/null && ogrinfo -al -so "$tmp/fe.gpkg" 2>/dev/null | grep -q "^fe: Real" && ok || bad "--out"
expect_fail 2 "--time" -- "$AGGLO" panel "$SS/counties_panel.csv" --id code --y y --x x1
finish
