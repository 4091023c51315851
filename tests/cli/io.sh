#!/usr/bin/env bash
# agglo info / join end to end, and the bad-input policy: one-line error naming the file,
# non-zero exit, no partial output.
source "$(dirname "$0")/lib.bash"

# info on real data
out=$("$AGGLO" info "$TEST_DATA/nc/nc.shp" --json) || bad "info nc"
echo "$out" | grep -q '"features":100' && ok || bad "info nc features: $out"
echo "$out" | grep -q '"epsg":4267' && ok || bad "info nc epsg"
"$AGGLO" info --help | grep -q "usage: agglo info" && ok || bad "info --help"
"$AGGLO" join --help | grep -q "usage: agglo join" && ok || bad "join --help"

# join: counts against sf (scripts/reference/join_counts.R), checked through the CSV output
"$AGGLO" join "$TEST_DATA/nc/nc.shp" "$TEST_DATA/join/nc_points.csv" --crs EPSG:4267 \
   --count shops --sum value --out "$SCRATCH/nc_shops.gpkg" --json > "$SCRATCH/join.json" \
   && ok || bad "join nc"
grep -q '"points_outside":2816' "$SCRATCH/join.json" && ok || bad "join outside count: $(cat "$SCRATCH/join.json")"
"$AGGLO" info "$SCRATCH/nc_shops.gpkg" --json | grep -q '"shops":"integer"' && ok || bad "join output field"

# bad inputs
expect_fail 1 "nope.shp: no such file" -- "$AGGLO" info "$SCRATCH/nope.shp"
cp "$TEST_DATA/columbus/columbus.shp" "$SCRATCH/noshx.shp"
expect_fail 1 "noshx.shp: missing .shx" -- "$AGGLO" info "$SCRATCH/noshx.shp"
cp "$TEST_DATA/columbus/columbus.shx" "$SCRATCH/noshx.shx"
expect_fail 1 "noshx.shp: missing .dbf" -- "$AGGLO" info "$SCRATCH/noshx.shp"
cp "$TEST_DATA/nc/nc.dbf" "$SCRATCH/noshx.dbf"
expect_fail 1 "record counts differ" -- "$AGGLO" info "$SCRATCH/noshx.shp"
expect_fail 1 "no field 'sales'" -- "$AGGLO" join "$TEST_DATA/nc/nc.shp" "$TEST_DATA/join/nc_points.csv" --sum sales --out "$SCRATCH/x.gpkg"
[ ! -e "$SCRATCH/x.gpkg" ] && ok || bad "partial output left after a failed join"
expect_fail 1 "not a polygon layer" -- "$AGGLO" join "$TEST_DATA/join/nc_points.csv" "$TEST_DATA/join/nc_points.csv" --out "$SCRATCH/x.gpkg"
expect_fail 1 "has no CRS" -- "$AGGLO" join "$TEST_DATA/columbus/columbus.shp" "$TEST_DATA/join/nc_points.csv" --out "$SCRATCH/x.gpkg"
expect_fail 1 "/nonexistent-dir/x.gpkg" -- "$AGGLO" join "$TEST_DATA/nc/nc.shp" "$TEST_DATA/join/nc_points.csv" --out /nonexistent-dir/x.gpkg
expect_fail 2 "POLYGONS and POINTS" -- "$AGGLO" join "$TEST_DATA/nc/nc.shp" --out "$SCRATCH/x.gpkg"
expect_fail 2 "not a command" -- "$AGGLO" frobnicate
printf 'id,val\n1,2\n' > "$SCRATCH/nogeom.csv"
expect_fail 1 "no x/y" -- "$AGGLO" info "$SCRATCH/nogeom.csv"
printf 'lon,lat\n' > "$SCRATCH/empty.csv"
expect_fail 1 "empty.csv" -- "$AGGLO" info "$SCRATCH/empty.csv"
[ -z "$(ls -A "$SCRATCH" | grep -i tmp)" ] && ok || bad "temporary files left: $(ls -A "$SCRATCH")"

# ---- reading (issue 11): corruption is an error, real-world data is accepted ----------------
B=$TEST_DATA/bad
# a corrupt input fails the command and nothing is written
expect_fail 1 "truncated_shp/squares.shp: truncated or corrupt at record 7 (offset 1052 beyond the file's 976 bytes)" -- \
  "$AGGLO" join "$B/truncated_shp/squares.shp" "$B/points_layer/points.shp" --out "$SCRATCH/trunc.gpkg"
[ ! -e "$SCRATCH/trunc.gpkg" ] && ok || bad "output written from a truncated .shp"
expect_fail 1 "shops.gpkg: truncated or corrupt at feature 2523" -- "$AGGLO" info "$B/damaged_gpkg/shops.gpkg"
# a FIFO is refused at once instead of blocking
mkfifo "$SCRATCH/fifo.shp"
err=$(timeout 10 "$AGGLO" info "$SCRATCH/fifo.shp" 2>&1); rc=$?
[ "$rc" = 1 ] && [[ "$err" == *"fifo.shp: not a regular file (a FIFO)"* ]] && ok || bad "FIFO input: rc $rc: $err"
rm -f "$SCRATCH/fifo.shp"
# invalid polygons (a census layer with self-intersections): read with one warning naming the
# first and GEOS's reason; --strict refuses; --make-valid repairs
err=$("$AGGLO" moran "$B/selfintersect/squares.shp" --var value 2>&1 >/dev/null) && ok || bad "moran on self-intersecting polygons: $err"
[[ "$err" == *"2 invalid geometries kept, first is feature 2: Self-intersection"*"point-in-polygon"* ]] && ok || bad "invalid polygon warning: $err"
[ "$(printf '%s\n' "$err" | grep -c warning)" = 1 ] && ok || bad "more than one warning: $err"
err=$("$AGGLO" info "$B/selfintersect/squares.shp" --make-valid 2>&1 >/dev/null) && [[ "$err" == *"repaired 2 invalid geometries"* ]] && ok || bad "--make-valid: $err"
# undefined GeoPackage SRS = no CRS: distance weights work on its metres
out=$("$AGGLO" info "$B/undefined_srs/squares.gpkg" --json 2>&1) && [[ "$out" == *'"crs":"none"'* ]] && [[ "$out" != *warning* ]] && ok || bad "undefined SRS: $out"
expect_ok -- "$AGGLO" moran "$B/undefined_srs/squares.gpkg" --var value --weights band:1500
# a geographic CRS over planar coordinates: a warning, then planar
err=$("$AGGLO" moran "$B/geographic_planar/squares.shp" --var value --weights band:1500 2>&1 >/dev/null) && \
  [[ "$err" == *"is geographic but the coordinates reach [800000, 803000]"*"treating them as planar"* ]] && ok || bad "geographic CRS over metres: $err"
# --crs overrides a layer's own CRS, with a warning (info shows the override)
out=$("$AGGLO" info "$TEST_DATA/nc/nc.shp" --crs EPSG:4326 --json 2>"$SCRATCH/err") && [[ "$out" == *'"epsg":4326'* ]] && \
  grep -q "crs EPSG:4326 overrides the layer's own CRS (NAD27)" "$SCRATCH/err" && ok || bad "--crs override: $out $(cat "$SCRATCH/err")"
# GDAL virtual file systems and zipped Shapefiles
out=$("$AGGLO" info "/vsizip/$B/zipped/squares.zip/squares.shp" --json) && [[ "$out" == *'"features":9'* ]] && ok || bad "/vsizip/ path: $out"
out=$("$AGGLO" info "$B/zipped/squares.zip" --json) && [[ "$out" == *'"features":9'*'"epsg":32650'* ]] && ok || bad ".zip: $out"
# --where on every command (the shared read helper); 16 counties have BIR74 > 5000 in R sf:
# sum(st_read(system.file("shape/nc.shp", package = "sf"))$BIR74 > 5000)
out=$("$AGGLO" info "$TEST_DATA/nc/nc.shp" --where "BIR74 > 5000" --json) && [[ "$out" == *'"features":16,'* ]] && ok || bad "--where info: $out"
expect_ok -- "$AGGLO" moran "$TEST_DATA/nc/nc.shp" --var SID74 --where "BIR74 > 1000"
expect_fail 1 "nc.shp: --where 'NOPE > 1' is not a filter OGR accepts" -- "$AGGLO" info "$TEST_DATA/nc/nc.shp" --where "NOPE > 1"
# tables without geometry: the layer readers refuse them in one line, table readers take them
printf 'id,val\n1,2\n' > "$SCRATCH/nogeom.csv"
expect_fail 1 "nogeom.csv: no x/y (lon/lat) columns found: a table without geometry" -- "$AGGLO" moran "$SCRATCH/nogeom.csv" --var val
printf 'region,gdp\nA,1\nA,3\nB,2\nB,\nB,6\n' > "$SCRATCH/long.csv"
expect_fail 1 "long.csv: 1 row with missing values in gdp, region (rows 4)" -- "$AGGLO" dagum "$SCRATCH/long.csv" --var gdp --group region
out=$("$AGGLO" dagum "$SCRATCH/long.csv" --var gdp --group region --drop-missing --csv 2>/dev/null) && \
  [[ "$out" == *$'\ndagum,n,4\n'* ]] && ok || bad "dagum on a CSV table: $out"
# directories: a directory of Shapefiles is a source; anything else is one line
mkdir -p "$SCRATCH/notdata" && echo hello > "$SCRATCH/notdata/readme.txt"
expect_fail 1 "notdata: a directory GDAL does not read as a vector dataset" -- "$AGGLO" info "$SCRATCH/notdata"
out=$("$AGGLO" moran "$TEST_DATA/bad/shp_dir/one" --var value --json) && [[ "$out" == *'"n":9'* ]] && ok || bad "moran on a directory: $out"
# --strict: every warning is an error (exit 1) and nothing is written, to --out or to stdout.
# isle.geojson: a 3 x 3 grid (v NULL in c12) and a far square "isle" without neighbours
awk 'BEGIN { printf "{\"type\":\"FeatureCollection\",\"features\":["
  for (i = 0; i < 3; i++) for (j = 0; j < 3; j++)
    printf "{\"type\":\"Feature\",\"properties\":{\"name\":\"c%d%d\",\"v\":%s,\"k\":%d},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%d,%d],[%d,%d],[%d,%d],[%d,%d],[%d,%d]]]}},", \
      i, j, (i == 1 && j == 2) ? "null" : (i * 7 + j * 3) % 11, (i * 5 + j * 2) % 7, i, j, i + 1, j, i + 1, j + 1, i, j + 1, i, j
  printf "{\"type\":\"Feature\",\"properties\":{\"name\":\"isle\",\"v\":4,\"k\":3},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}}]}\n" }' \
  > "$SCRATCH/isle.geojson"
ISLE=$SCRATCH/isle.geojson
# islands under moran: a warning without --strict, the error with it, and no result on stdout
out=$("$AGGLO" moran "$ISLE" --var k --json 2>"$SCRATCH/err") && [[ "$out" == *'"islands":1'* ]] && \
  grep -q "warning: weights queen: 1 observation(s) without neighbours" "$SCRATCH/err" && ok || bad "islands warning: $out $(cat "$SCRATCH/err")"
expect_fail 1 "1 observation(s) without neighbours (ids: 10) (an error with --strict)" -- "$AGGLO" moran "$ISLE" --var k --json --strict
out=$("$AGGLO" moran "$ISLE" --var k --json --strict 2>/dev/null); [ -z "$out" ] && ok || bad "--strict printed a result: $out"
# the same with outputs: neither --out nor --table nor --png is written
"$AGGLO" lisa "$ISLE" --var k --strict --out "$SCRATCH/s.gpkg" --table "$SCRATCH/s.csv" --png "$SCRATCH/s.png" >"$SCRATCH/s.out" 2>"$SCRATCH/err"
rc=$?; [ "$rc" = 1 ] && [ ! -e "$SCRATCH/s.gpkg" ] && [ ! -e "$SCRATCH/s.csv" ] && [ ! -e "$SCRATCH/s.png" ] && [ ! -s "$SCRATCH/s.out" ] \
  && grep -q "(an error with --strict)" "$SCRATCH/err" && ok || bad "lisa --strict: rc $rc, $(ls "$SCRATCH"/s.* 2>&1) $(cat "$SCRATCH/err")"
expect_ok -- "$AGGLO" lisa "$ISLE" --var k --out "$SCRATCH/s.gpkg" --quiet
# a dropped-rows warning (geodetector --drop-missing) under --strict
sed '6s/^6.77,/,/' "$TEST_DATA/detect/disease.csv" > "$SCRATCH/missing.csv"
expect_ok -- "$AGGLO" geodetector "$SCRATCH/missing.csv" --y incidence --factors watershed --drop-missing
expect_fail 1 "missing.csv: dropped 1 row with missing values in incidence, watershed (rows 5) (an error with --strict)" -- \
  "$AGGLO" geodetector "$SCRATCH/missing.csv" --y incidence --factors watershed --drop-missing --strict
# the encoding fallback (a GBK .dbf without .cpg) under --strict, with an output
expect_fail 1 "squares.shp: no .cpg and the text is not UTF-8; decoded it as GB18030/GBK .*(an error with --strict)" -- \
  "$AGGLO" lisa "$TEST_DATA/bad/gbk_no_cpg/squares.shp" --var value --strict --out "$SCRATCH/gbk.gpkg"
[ ! -e "$SCRATCH/gbk.gpkg" ] && ok || bad "output written from a --strict failure"
# without any warning --strict changes nothing: the same bytes on stdout, outputs written
"$AGGLO" lisa "$TEST_DATA/nc/nc.shp" --var SID74 --table - > "$SCRATCH/plain.csv" 2>/dev/null
"$AGGLO" lisa "$TEST_DATA/nc/nc.shp" --var SID74 --table - --strict > "$SCRATCH/strict.csv" && \
  [ -s "$SCRATCH/strict.csv" ] && cmp -s "$SCRATCH/plain.csv" "$SCRATCH/strict.csv" && ok || bad "--strict changed a clean run's stdout"
"$AGGLO" lisa "$TEST_DATA/nc/nc.shp" --var SID74 --strict --out "$SCRATCH/clean.gpkg" --quiet && [ -s "$SCRATCH/clean.gpkg" ] \
  && ok || bad "--strict clean run: no output"
[ -z "$(ls -A "$SCRATCH" | grep -i tmp)" ] && ok || bad "temporary files left by --strict: $(ls -A "$SCRATCH")"
# declared variables (cli_need): dagum reads only --var/--group/--time's fields, an expression's too
out=$("$AGGLO" dagum "$TEST_DATA/columbus/columbus.shp" --var "INC * 2" --group CP --where "CRIME > 40" --csv) && \
  [[ "$out" == *$'\ndagum,n,19\n'* ]] && ok || bad "dagum on declared fields: $out"
expect_fail 1 "columbus.shp: no field 'NOPE' (fields: AREA" -- "$AGGLO" dagum "$TEST_DATA/columbus/columbus.shp" --var "NOPE * 2" --group CP
# the other commands declare theirs too: a corrupt column they do not use (squares.gpkg's
# 'count' holds text) is not read; --out LAYER copies every field, so it reads them all
B="$TEST_DATA/bad/text_numeric/squares.gpkg"
expect_ok -- "$AGGLO" lisa "$B" --var value --quiet
expect_ok -- "$AGGLO" moran "$B" --var "value * 2" --weights rook --quiet
expect_ok -- "$AGGLO" lisa "$B" --var value --out "$SCRATCH/need.csv" --quiet
expect_fail 1 "numeric column 'count' holds text" -- "$AGGLO" lisa "$B" --var value --out "$SCRATCH/need.gpkg" --quiet
expect_ok -- "$AGGLO" kde "$B" --cell 0.2 --point-weight value --quiet
expect_ok -- "$AGGLO" points "$B" --sde --point-weight value --quiet
expect_ok -- "$AGGLO" concentration "$B" --count id --base value --quiet
expect_fail 1 "numeric column 'count' holds text" -- "$AGGLO" concentration "$B" --count id --base value --out "$SCRATCH/need2.gpkg"
# ---- end of the reading block --------------------------------------------------------------

# the bad-input corpus (tests/data/bad, see its README.md): each case's expected error
if [ -f "$TEST_DATA/bad/expected.tsv" ]; then
  while IFS=$'\t' read -r file cmd code pattern; do
    [ -z "$file" ] || [ "${file:0:1}" = "#" ] && continue
    if [[ "$cmd" == *"{}"* ]]; then
      cmd=${cmd//"{}"/"$TEST_DATA/bad/$file"}; args=()
    else args=("$TEST_DATA/bad/$file"); fi
    cmd=${cmd//"{good}"/"$TEST_DATA/bad/good/squares.shp"}
    # shellcheck disable=SC2086
    if [ "$code" = 0 ]; then expect_ok -- "$AGGLO" $cmd "${args[@]}"
    else expect_fail "$code" "$pattern" -- "$AGGLO" $cmd "${args[@]}"; fi
  done < "$TEST_DATA/bad/expected.tsv"
fi
finish
