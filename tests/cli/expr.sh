#!/usr/bin/env bash
# Variables given as expressions over fields (--var "CRIME / INC"): the statistic equals the one
# computed on a column that SQLite (through ogr2ogr's SQLite dialect) derived from the same
# fields, so the reference arithmetic is not ours.
source "$(dirname "$0")/lib.bash"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
COL="$TEST_DATA/columbus/columbus.shp"
json_num() { $PY -c "import json,sys; d=json.load(sys.stdin); print(repr(float(d[sys.argv[1]])))" "$@"; }
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*s) }'; }

if command -v ogr2ogr >/dev/null; then
  ogr2ogr -q -f GPKG "$SCRATCH/derived.gpkg" "$COL" -dialect sqlite -nln derived \
    -sql "SELECT *, CRIME / INC * 100 AS rate, ln(HOVAL) AS lhoval, HOVAL * HOVAL AS hoval2 FROM columbus"
  for pair in "CRIME / INC * 100:rate" "log(HOVAL):lhoval" "HOVAL^2:hoval2"; do
    expr=${pair%%:*} field=${pair##*:}
    a=$("$AGGLO" moran "$SCRATCH/derived.gpkg" --var "$expr" --json 2>/dev/null | json_num I) || bad "moran $expr"
    b=$("$AGGLO" moran "$SCRATCH/derived.gpkg" --var "$field" --json 2>/dev/null | json_num I) || bad "moran $field"
    close "$a" "$b" 1e-12 && ok || bad "moran I of '$expr' $a != $b"
  done
else
  echo "ogr2ogr not installed: SQLite-derived comparison skipped"
fi

# undefined rows are missing values, with the reason on stderr
err=$("$AGGLO" moran "$COL" --var "log(CRIME - 20)" 2>&1 >/dev/null); rc=$?
[ "$rc" != 0 ] && ok || bad "log of negative values accepted"
printf '%s\n' "$err" | grep -q "undefined in" && ok || bad "no reason for undefined rows: $err"
expect_fail 1 "expected ')'" -- "$AGGLO" moran "$COL" --var "CRIME / (INC"
expect_fail 1 "no field 'NOPE'" -- "$AGGLO" moran "$COL" --var "CRIME / NOPE"
finish
