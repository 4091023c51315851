#!/usr/bin/env bash
# Outputs are never a danger to the user's data: output = input and two outputs on one file
# refused before any work, write errors (stdout, full disk) fail with exit 1 and leave the
# old file, Shapefile sets replaced without stale sidecars, symlinks written through,
# devices refused, --format/--lco, Shapefile field names, --max-memory.
source "$(dirname "$0")/lib.bash"
S=$SCRATCH
cp "$TEST_DATA"/columbus/columbus.* "$S/"
C=$S/columbus.shp
"$AGGLO" lisa "$C" --var CRIME --out "$S/c.gpkg" --quiet > /dev/null && ok || bad "lisa --out c.gpkg"
sum_before=$(md5sum < "$S/c.gpkg")

# output = input, by inode (also through a symlink and another spelling of the path)
expect_fail 2 "also an input" -- "$AGGLO" moran "$S/c.gpkg" --var CRIME --png "$S/c.gpkg"
ln -s c.gpkg "$S/link.gpkg"
expect_fail 2 "also an input" -- "$AGGLO" moran "$S/link.gpkg" --var CRIME --png "$S/c.gpkg"
expect_fail 2 "also an input" -- "$AGGLO" moran "$S/c.gpkg" --var CRIME --png "$S/./c.gpkg"
expect_fail 2 "also an input" -- "$AGGLO" lisa "$C" --var CRIME --out="$C"
[ "$(md5sum < "$S/c.gpkg")" = "$sum_before" ] && ok || bad "input changed by a refused run"
# two outputs on one file (new or existing, different spellings, abbreviated option)
expect_fail 2 "both --out and --table" -- "$AGGLO" lisa "$C" --var CRIME --out "$S/o.csv" --table "$S/o.csv"
expect_fail 2 "both --out and --table" -- "$AGGLO" lisa "$C" --var CRIME --out "$S/o.csv" --tab "$S/../$(basename "$S")/o.csv"
[ ! -e "$S/o.csv" ] && ok || bad "refused run wrote o.csv"

# stdout write errors
if [ -w /dev/full ]; then
  "$AGGLO" moran "$C" --var CRIME --json > /dev/full 2> "$S/err"; rc=$?
  [ "$rc" = 1 ] && grep -q "stdout: write failed" "$S/err" && ok || bad "--json > /dev/full exited $rc: $(cat "$S/err")"
  "$AGGLO" lisa "$C" --var CRIME --table /dev/stdout > /dev/full 2>/dev/null; rc=$?
  [ "$rc" = 1 ] && ok || bad "--table /dev/stdout > /dev/full exited $rc"
else
  echo "skip: no writable /dev/full"
fi
# --table /dev/stdout streams (no temporary beside /dev/stdout)
"$AGGLO" lisa "$C" --var CRIME --table /dev/stdout --quiet 2>/dev/null | grep -q '^id,LISA_I' && ok || bad "--table /dev/stdout"

# full disk: every driver's write errors are caught, the old file is kept, no temporary left.
# A file-size limit (SIGXFSZ ignored) gives the same EFBIG/short writes as a full disk.
"$AGGLO" lisa "$C" --var CRIME --out "$S/full.geojson" --quiet > /dev/null
old=$(md5sum < "$S/full.geojson")
for ext in geojson gpkg shp csv; do
  (trap '' XFSZ; ulimit -f 8; "$AGGLO" lisa "$TEST_DATA/nc/nc.shp" --var SID74 --out "$S/full.$ext" > /dev/null 2> "$S/err"); rc=$?
  [ "$rc" = 1 ] && grep -q "full.$ext: write failed" "$S/err" && ok || bad "full .$ext exited $rc: $(cat "$S/err")"
done
[ "$(md5sum < "$S/full.geojson")" = "$old" ] && ok || bad "old GeoJSON not kept after a failed write"
[ ! -e "$S/full.gpkg" ] && [ ! -e "$S/full.shp" ] && ok || bad "partial output left after a full disk"
(trap '' XFSZ; ulimit -f 8; "$AGGLO" lisa "$TEST_DATA/nc/nc.shp" --var SID74 --table "$S/full.csv" > /dev/null 2>&1); [ $? = 1 ] && [ ! -e "$S/full.csv" ] && ok || bad "full --table"
# a real small file system when this environment can mount one
mkdir -p "$S/tmpfs"
if mount -t tmpfs -o size=64k tmpfs "$S/tmpfs" 2>/dev/null; then
  "$AGGLO" lisa "$TEST_DATA/nc/nc.shp" --var SID74 --out "$S/tmpfs/x.geojson" > /dev/null 2> "$S/err"; rc=$?
  [ "$rc" = 1 ] && [ ! -e "$S/tmpfs/x.geojson" ] && [ -z "$(ls -A "$S/tmpfs")" ] && ok || bad "tmpfs full: rc $rc, $(ls -A "$S/tmpfs")"
  umount "$S/tmpfs"
else
  echo "skip: cannot mount a tmpfs here (full disk simulated with ulimit -f above)"
fi
[ -z "$(ls -A "$S" | grep '\.tmp')" ] && ok || bad "temporaries left: $(ls -A "$S")"

# Shapefile over an existing one: no stale .prj (or .cpg/.qix), new set complete
"$AGGLO" lisa "$TEST_DATA/nc/nc.shp" --var SID74 --out "$S/s.shp" > /dev/null 2>&1
[ -e "$S/s.prj" ] && ok || bad "nc output has no .prj"
touch "$S/s.qix" "$S/s.PRJ"
"$AGGLO" lisa "$C" --var CRIME --out "$S/s.shp" > /dev/null 2>&1 && ok || bad "shapefile rewrite"
[ ! -e "$S/s.prj" ] && [ ! -e "$S/s.PRJ" ] && [ ! -e "$S/s.qix" ] && ok || bad "stale sidecars kept: $(ls "$S"/s.*)"
"$AGGLO" info "$S/s.shp" --json | grep -q '"features":49' && ok || bad "rewritten shapefile"
"$AGGLO" info "$S/s.shp" --json | grep -q '"epsg":4267' && bad "rewritten shapefile reads with the old CRS" || ok
# stale temporaries of killed runs: removed when older than an hour, kept when recent
mkdir "$S/.s.shp.tmpdirAbC123" "$S/.s.shp.tmpdirXyZ789"; touch "$S/.s.shp.tmpdirAbC123/s.dbf"
touch -d '2 hours ago' "$S/.s.shp.tmpdirAbC123"
"$AGGLO" lisa "$C" --var CRIME --out "$S/s.shp" > /dev/null 2>&1
[ ! -e "$S/.s.shp.tmpdirAbC123" ] && [ -d "$S/.s.shp.tmpdirXyZ789" ] && ok || bad "stale temporary cleanup: $(ls -A "$S")"
rmdir "$S/.s.shp.tmpdirXyZ789"

# symlink output: the target is written, the link stays
ln -s target.csv "$S/sl.csv"
"$AGGLO" lisa "$C" --var CRIME --table "$S/sl.csv" > /dev/null 2>&1 && ok || bad "table through symlink"
[ -L "$S/sl.csv" ] && grep -q '^id,LISA_I' "$S/target.csv" && ok || bad "symlink replaced or target not written"
ln -s tgt.gpkg "$S/sl.gpkg"
"$AGGLO" lisa "$C" --var CRIME --out "$S/sl.gpkg" > /dev/null 2>&1 && [ -L "$S/sl.gpkg" ] && [ -s "$S/tgt.gpkg" ] && ok || bad "layer through symlink"
# device, FIFO and directory outputs refused
if mknod "$S/mynull" c 1 3 2>/dev/null; then
  expect_fail 1 "mynull: exists and is a character device" -- "$AGGLO" lisa "$C" --var CRIME --table "$S/mynull"
  [ -c "$S/mynull" ] && ok || bad "device replaced"
else
  echo "skip: mknod not permitted"
fi
mkfifo "$S/fifo.csv"
expect_fail 1 "fifo.csv: exists and is a FIFO" -- "$AGGLO" lisa "$C" --var CRIME --table "$S/fifo.csv"
ln -s fifo.csv "$S/tofifo.gpkg"
expect_fail 1 "exists and is a FIFO" -- "$AGGLO" lisa "$C" --var CRIME --out "$S/tofifo.gpkg"
mkdir "$S/dir.png"
expect_fail 1 "dir.png: exists and is a directory" -- "$AGGLO" moran "$C" --var CRIME --png "$S/dir.png"

# --format / --lco / extensions of any GDAL vector driver
"$AGGLO" lisa "$C" --var CRIME --out "$S/f.dat" -f GeoJSON > /dev/null 2>&1 && head -c 200 "$S/f.dat" | grep -q FeatureCollection && ok || bad "-f GeoJSON"
"$AGGLO" lisa "$C" --var CRIME --out "$S/f.fgb" > /dev/null 2>&1 && "$AGGLO" info "$S/f.fgb" --json | grep -q '"features":49' && ok || bad ".fgb"
"$AGGLO" lisa "$C" --var CRIME --out "$S/f.kml" > /dev/null 2>&1 && grep -q "<kml" "$S/f.kml" && ok || bad ".kml"
"$AGGLO" lisa "$C" --var CRIME --out "$S/lco.csv" --lco GEOMETRY=AS_WKT --lco SEPARATOR=SEMICOLON > /dev/null 2>&1 && head -1 "$S/lco.csv" | grep -q '^WKT;' && ok || bad "--lco: $(head -c 100 "$S/lco.csv")"
"$AGGLO" lisa "$C" --var CRIME --out "$S/nolco.csv" > /dev/null 2>&1 && head -1 "$S/nolco.csv" | grep -q ';' && bad "default CSV separator" || ok
expect_fail 1 "no driver named 'Nope'" -- "$AGGLO" lisa "$C" --var CRIME --out "$S/n.x" --format Nope
expect_fail 1 "cannot create vector layers" -- "$AGGLO" lisa "$C" --var CRIME --out "$S/n.x" --format GTiff
expect_fail 1 "writes .zzz" -- "$AGGLO" lisa "$C" --var CRIME --out "$S/n.zzz"
expect_fail 2 "not NAME=VALUE" -- "$AGGLO" lisa "$C" --var CRIME --out "$S/n.gpkg" --lco NOEQUALS

# Shapefile field names: never cut inside a UTF-8 character, clashes numbered, all listed
printf 'lon,lat,人口密度统计,population_a,population_b,short\n' > "$S/u.csv"
for i in 1 2 3 4 5 6; do printf '%d.5,%d.25,%d,%d,%d,%d\n' "$i" "$((i * i % 5))" "$i" "$((i * 2))" "$((i % 3))" "$i" >> "$S/u.csv"; done
"$AGGLO" lisa "$S/u.csv" --crs EPSG:3857 --var short --weights knn:2 --out "$S/u.shp" > /dev/null 2> "$S/err" && ok || bad "utf-8 shapefile: $(cat "$S/err")"
grep -q "3 field(s) renamed: '人口密度统计' -> '人口密', 'population_a' -> 'population', 'population_b' -> 'populati_1'" "$S/err" && ok || bad "rename warning: $(cat "$S/err")"
fields=$("$AGGLO" info "$S/u.shp" --json)
echo "$fields" | grep -q '"人口密"' && echo "$fields" | grep -q '"populati_1"' && ok || bad "field names read back: $fields"
printf '%s' "$fields" | iconv -f UTF-8 -t UTF-8 > /dev/null 2>&1 && ok || bad "invalid UTF-8 in field names"

# --max-memory: refused with the estimate before allocating
expect_fail 1 "would need about .* above the limit of 1.0 MiB (--max-memory" -- \
  "$AGGLO" kde "$TEST_DATA/nc/nc.shp" --to EPSG:32119 --cell 500 --max-memory 1M
expect_fail 2 "--max-memory: '12x' is not a memory size" -- "$AGGLO" kde "$C" --cell 1 --max-memory 12x
big=$S/big.gal; printf '0 3\n' > "$big"; truncate -s 300M "$big"
expect_fail 1 "big.gal would need about 1.2 GiB" -- "$AGGLO" moran "$C" --var CRIME --weights "$big" --max-memory 64M
ln -s /dev/zero "$S/zero.gal"
expect_fail 1 "zero.gal: binary content" -- timeout 20 "$AGGLO" moran "$C" --var CRIME --weights "$S/zero.gal"
finish
