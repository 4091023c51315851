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
