#!/bin/sh
# Generates the bad-input corpus in tests/data/bad/ (see tests/data/bad/README.md).
#
#   sh scripts/make_bad_inputs.sh [OUTDIR]        (default: tests/data/bad beside scripts/)
#
# Needs only GDAL's ogr2ogr (gdal-bin), printf, dd, iconv and cmp. Every case starts from the
# same tiny layer: a 3 x 3 grid of 1 km squares in UTM zone 50N (EPSG:32650) near Yiwu,
# features numbered 1..9 row by row from the south-west corner:
#
#       7 8 9
#       4 5 6
#       1 2 3
#
# Deterministic: the .dbf "last update" date and GeoPackage timestamps are pinned, so a rerun
# gives identical bytes (on the same GDAL version).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../tests/data/bad"}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export OGR_CURRENT_DATE=2024-01-01T00:00:00Z   # GeoPackage timestamps

# ---------------------------------------------------------------------------------------
# helpers
X0=800000
Y0=3240000
S=1000
names="稠城街道 北苑街道 稠江街道 江东街道 后宅街道 城西街道 廿三里街道 佛堂镇 赤岸镇"

# square K (1..9) as WKT polygon (counter-clockwise exterior ring), given origin and size
square() { # k x0 y0 s
    awk -v k="$1" -v x0="$2" -v y0="$3" -v s="$4" 'BEGIN {
        c = (k - 1) % 3; r = int((k - 1) / 3);
        x = x0 + c * s; y = y0 + r * s;
        printf "((%.10g %.10g,%.10g %.10g,%.10g %.10g,%.10g %.10g,%.10g %.10g))",
               x, y, x + s, y, x + s, y + s, x, y + s, x, y }'
}
name_of() { echo "$names" | awk -v k="$1" '{ print $k }'; }

# squares_csv FILE [x0 y0 s]: id,code,name,value,count,wkt for the 9 squares
squares_csv() {
    f=$1; x0=${2:-$X0}; y0=${3:-$Y0}; s=${4:-$S}
    printf 'id,code,name,value,count,wkt\n' >"$f"
    for k in 1 2 3 4 5 6 7 8 9; do
        printf '%d,3307820%02d,%s,%s,%d,"POLYGON %s"\n' "$k" "$k" "$(name_of $k)" \
            "$(awk -v k=$k 'BEGIN { printf "%.2f", 10 + 2.5 * k * k / 9 }')" $((k * 3)) \
            "$(square $k $x0 $y0 $s)" >>"$f"
    done
    printf '"Integer","String","String","Real","Integer","String"\n' >"${f%.csv}.csvt"
}

# pin the DBF "last update" date (bytes 1-3) to 2024-01-01
pin_dbf() { printf '\174\001\001' | dd of="$1" bs=1 seek=1 conv=notrunc 2>/dev/null; }

# to_shp SRC.csv DEST.shp [ogr2ogr options...]: CSV with a wkt column -> shapefile
to_shp() {
    src=$1; dst=$2; shift 2
    rm -f "${dst%.shp}".shp "${dst%.shp}".shx "${dst%.shp}".dbf "${dst%.shp}".prj "${dst%.shp}".cpg
    ogr2ogr -q -f "ESRI Shapefile" "$dst" "$src" -oo GEOM_POSSIBLE_NAMES=wkt \
        -oo KEEP_GEOM_COLUMNS=NO -lco ENCODING=UTF-8 "$@"
    pin_dbf "${dst%.shp}.dbf"
}
to_gpkg() {
    src=$1; dst=$2; shift 2
    rm -f "$dst"
    ogr2ogr -q -f GPKG "$dst" "$src" -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO "$@"
}
fresh() { rm -rf "${out:?}/$1"; mkdir -p "$out/$1"; }

# ---------------------------------------------------------------------------------------
# good/: the valid control layer every case is derived from, with valid weights files
fresh good
squares_csv "$tmp/squares.csv"
to_shp "$tmp/squares.csv" "$out/good/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON
# rook neighbours of the 3x3 grid, as GAL (PySAL header: 0 n layer idfield) and GWT
rook() { # k -> neighbour ids ascending
    awk -v k="$1" 'BEGIN { c = (k - 1) % 3; r = int((k - 1) / 3); s = "";
        if (r > 0) s = s " " (k - 3); if (c > 0) s = s " " (k - 1);
        if (c < 2) s = s " " (k + 1); if (r < 2) s = s " " (k + 3);
        sub(/^ /, "", s); print s }'
}
{
    printf '0 9 squares id\n'
    for k in 1 2 3 4 5 6 7 8 9; do
        nb=$(rook $k)
        printf '%d %d\n%s\n' "$k" "$(echo "$nb" | wc -w)" "$nb"
    done
} >"$out/good/squares.gal"
{
    printf '0 9 squares id\n'
    for k in 1 2 3 4 5 6 7 8 9; do
        for j in $(rook $k); do printf '%d %d %s\n' "$k" "$j" 1.0; done
    done
} >"$out/good/squares.gwt"

# ---------------------------------------------------------------------------------------
# no_shx/ and no_dbf/: a sidecar file missing
fresh no_shx
to_shp "$tmp/squares.csv" "$out/no_shx/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON
rm "$out/no_shx/squares.shx"
fresh no_dbf
to_shp "$tmp/squares.csv" "$out/no_dbf/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON
rm "$out/no_dbf/squares.dbf" "$out/no_dbf/squares.cpg"

# count_mismatch/: 9 shapes in .shp/.shx but only 8 records in the .dbf
fresh count_mismatch
to_shp "$tmp/squares.csv" "$out/count_mismatch/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON
head -n 9 "$tmp/squares.csv" >"$tmp/eight.csv"
cp "$tmp/squares.csvt" "$tmp/eight.csvt"
to_shp "$tmp/eight.csv" "$tmp/eight.shp" -a_srs EPSG:32650 -nln eight -nlt POLYGON
cp "$tmp/eight.dbf" "$out/count_mismatch/squares.dbf"

# bowtie/: feature 5 is a self-intersecting "bow-tie" ring
fresh bowtie
sed 's/^5,\(.*\),"POLYGON .*"$/5,\1,"POLYGON ((801000 3241000,802000 3242000,802000 3241000,801000 3242000,801000 3241000))"/' \
    "$tmp/squares.csv" >"$tmp/bowtie.csv"
cp "$tmp/squares.csvt" "$tmp/bowtie.csvt"
to_shp "$tmp/bowtie.csv" "$out/bowtie/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON

# empty_geom/: feature 5 has no geometry (a Null shape in the .shp; POLYGON EMPTY in GeoJSON)
fresh empty_geom
sed 's/^5,\(.*\),"POLYGON .*"$/5,\1,""/' "$tmp/squares.csv" >"$tmp/nullgeom.csv"
cp "$tmp/squares.csvt" "$tmp/nullgeom.csvt"
to_shp "$tmp/nullgeom.csv" "$out/empty_geom/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON
sed 's/^5,\(.*\),"POLYGON .*"$/5,\1,"POLYGON EMPTY"/' "$tmp/squares.csv" >"$tmp/emptygeom.csv"
cp "$tmp/squares.csvt" "$tmp/emptygeom.csvt"
rm -f "$out/empty_geom/squares.geojson"
ogr2ogr -q -f GeoJSON "$out/empty_geom/squares.geojson" "$tmp/emptygeom.csv" \
    -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -nln squares -nlt POLYGON \
    -s_srs EPSG:32650 -t_srs EPSG:4326 -lco COORDINATE_PRECISION=7

# nan_coords/: one point with a NaN coordinate (CSV "nan"; the same in a point shapefile)
fresh nan_coords
{
    printf 'id,name,lon,lat,value\n'
    printf '1,%s,120.0510,29.3020,1.5\n' "$(name_of 1)"
    printf '2,%s,120.0620,29.3050,2.0\n' "$(name_of 2)"
    printf '3,%s,nan,29.3100,3.5\n' "$(name_of 3)"
    printf '4,%s,120.0810,29.3150,4.0\n' "$(name_of 4)"
    printf '5,%s,120.0900,nan,5.5\n' "$(name_of 5)"
    printf '6,%s,120.1000,29.3200,6.0\n' "$(name_of 6)"
} >"$out/nan_coords/points.csv"
printf '"Integer","String","Real","Real","Real"\n' >"$out/nan_coords/points.csvt"
# GDAL turns "nan" in a CSV into a missing geometry, so the shapefile is written from
# placeholders (coordinates already present, so the header's extent stays right) and the
# two coordinates are then overwritten with an IEEE NaN: a point record is 28 bytes after the
# 100-byte header (8 record header, 4 shape type, 8 x, 8 y).
sed -e 's/^3,\([^,]*\),nan,/3,\1,120.0620,/' -e 's/^5,\([^,]*\),\([^,]*\),nan,/5,\1,\2,29.3050,/' \
    "$out/nan_coords/points.csv" >"$tmp/nanpts.csv"
cp "$out/nan_coords/points.csvt" "$tmp/nanpts.csvt"
rm -f "$out/nan_coords/points.shp" "$out/nan_coords/points.shx" "$out/nan_coords/points.dbf" \
    "$out/nan_coords/points.prj" "$out/nan_coords/points.cpg"
ogr2ogr -q -f "ESRI Shapefile" "$out/nan_coords/points.shp" "$tmp/nanpts.csv" \
    -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO \
    -a_srs EPSG:4326 -lco ENCODING=UTF-8 -nln points -nlt POINT
pin_dbf "$out/nan_coords/points.dbf"
nan8() { printf '\000\000\000\000\000\000\370\177'; }
nan8 | dd of="$out/nan_coords/points.shp" bs=1 seek=$((100 + 28 * 2 + 12)) conv=notrunc 2>/dev/null
nan8 | dd of="$out/nan_coords/points.shp" bs=1 seek=$((100 + 28 * 4 + 20)) conv=notrunc 2>/dev/null
# GDAL reads NaN point records as POINT EMPTY, but keeps NaN vertices of polygons: squares.shp
# is good/squares.shp with the x of the third vertex of feature 5 set to NaN. Each square's
# record is 136 bytes (8 header, 4 type, 32 box, 4+4 counts, 4 part index, 5 x 16 points).
for e in shp shx dbf prj cpg; do cp "$out/good/squares.$e" "$out/nan_coords/squares.$e"; done
[ "$(wc -c <"$out/nan_coords/squares.shp")" -eq $((100 + 9 * 136)) ] ||
    { echo "make_bad_inputs: unexpected squares.shp layout" >&2; exit 1; }
nan8 | dd of="$out/nan_coords/squares.shp" bs=1 seek=$((100 + 136 * 4 + 56 + 16 * 2)) conv=notrunc 2>/dev/null

# multipart/: valid multipolygons (must be accepted). 7 features: feature 1 = squares 1 and 9
# (two separate parts, opposite corners), feature 3 = squares 3 and 7, features 2, 4, 5, 6
# and 7 = the single squares 2, 4, 5, 6 and 8 as one-part multipolygons.
fresh multipart
{
    printf 'id,code,name,value,count,wkt\n'
    printf '1,330782001,%s,11.00,3,"MULTIPOLYGON (%s,%s)"\n' "$(name_of 1)" \
        "$(square 1 $X0 $Y0 $S)" "$(square 9 $X0 $Y0 $S)"
    printf '2,330782002,%s,12.00,6,"MULTIPOLYGON (%s)"\n' "$(name_of 2)" "$(square 2 $X0 $Y0 $S)"
    printf '3,330782003,%s,13.00,9,"MULTIPOLYGON (%s,%s)"\n' "$(name_of 3)" \
        "$(square 3 $X0 $Y0 $S)" "$(square 7 $X0 $Y0 $S)"
    printf '4,330782004,%s,14.00,12,"MULTIPOLYGON (%s)"\n' "$(name_of 4)" "$(square 4 $X0 $Y0 $S)"
    printf '5,330782005,%s,15.00,15,"MULTIPOLYGON (%s)"\n' "$(name_of 5)" "$(square 5 $X0 $Y0 $S)"
    printf '6,330782006,%s,16.00,18,"MULTIPOLYGON (%s)"\n' "$(name_of 6)" "$(square 6 $X0 $Y0 $S)"
    printf '7,330782008,%s,17.00,21,"MULTIPOLYGON (%s)"\n' "$(name_of 8)" "$(square 8 $X0 $Y0 $S)"
} >"$tmp/multi.csv"
cp "$tmp/squares.csvt" "$tmp/multi.csvt"
to_shp "$tmp/multi.csv" "$out/multipart/squares.shp" -a_srs EPSG:32650 -nln squares -nlt MULTIPOLYGON
to_gpkg "$tmp/multi.csv" "$out/multipart/squares.gpkg" -a_srs EPSG:32650 -nln squares -nlt MULTIPOLYGON

# gbk_no_cpg/: names encoded in GBK, no .cpg and no code page byte (LDID) in the .dbf
fresh gbk_no_cpg
rm -f "$tmp/gbk.shp" "$tmp/gbk.shx" "$tmp/gbk.dbf" "$tmp/gbk.prj" "$tmp/gbk.cpg"
ogr2ogr -q -f "ESRI Shapefile" "$tmp/gbk.shp" "$tmp/squares.csv" -oo GEOM_POSSIBLE_NAMES=wkt \
    -oo KEEP_GEOM_COLUMNS=NO -lco ENCODING=CP936 -a_srs EPSG:32650 -nln squares -nlt POLYGON
for e in shp shx dbf prj; do cp "$tmp/gbk.$e" "$out/gbk_no_cpg/squares.$e"; done
printf '\000' | dd of="$out/gbk_no_cpg/squares.dbf" bs=1 seek=29 conv=notrunc 2>/dev/null
pin_dbf "$out/gbk_no_cpg/squares.dbf"
for k in 1 2 3 4 5 6 7 8 9; do name_of $k; done >"$out/gbk_no_cpg/expected_names_utf8.txt"
# the GBK bytes must really be in the .dbf (not UTF-8)
iconv -f UTF-8 -t GBK "$out/gbk_no_cpg/expected_names_utf8.txt" >"$tmp/gbk.txt"
grep -q "$(head -n 1 "$tmp/gbk.txt")" "$out/gbk_no_cpg/squares.dbf" ||
    { echo "make_bad_inputs: GBK names not found in gbk_no_cpg/squares.dbf" >&2; exit 1; }

# latlon_no_prj/: the squares in longitude/latitude degrees (0.01 deg) without a .prj
fresh latlon_no_prj
squares_csv "$tmp/ll.csv" 120.05 29.30 0.01
to_shp "$tmp/ll.csv" "$out/latlon_no_prj/squares.shp" -nln squares -nlt POLYGON
rm -f "$out/latlon_no_prj/squares.prj"

# empty_layer/: a valid layer with zero features (shapefile and GeoPackage)
fresh empty_layer
to_shp "$tmp/squares.csv" "$out/empty_layer/squares.shp" -a_srs EPSG:32650 -nln squares \
    -nlt POLYGON -where "id < 0"
to_gpkg "$tmp/squares.csv" "$out/empty_layer/squares.gpkg" -a_srs EPSG:32650 -nln squares \
    -nlt POLYGON -where "id < 0"

# points_layer/: the squares' centres as points, where polygons are needed (contiguity)
fresh points_layer
{
    printf 'id,code,name,value,count,wkt\n'
    for k in 1 2 3 4 5 6 7 8 9; do
        printf '%d,3307820%02d,%s,%s,%d,"POINT (%s)"\n' "$k" "$k" "$(name_of $k)" \
            "$(awk -v k=$k 'BEGIN { printf "%.2f", 10 + 2.5 * k * k / 9 }')" $((k * 3)) \
            "$(awk -v k=$k -v x0=$X0 -v y0=$Y0 -v s=$S 'BEGIN { printf "%d %d",
                x0 + ((k - 1) % 3 + 0.5) * s, y0 + (int((k - 1) / 3) + 0.5) * s }')"
    done
} >"$tmp/points.csv"
cp "$tmp/squares.csvt" "$tmp/points.csvt"
to_shp "$tmp/points.csv" "$out/points_layer/points.shp" -a_srs EPSG:32650 -nln points -nlt POINT

# text_field/: "value" stored as text; numeric-looking except "n/a" in feature 7
fresh text_field
awk -F, 'BEGIN { OFS = "," } NR == 8 { $4 = "n/a" } { print }' "$tmp/squares.csv" >"$tmp/text.csv"
printf '"Integer","String","String","String","Integer","String"\n' >"$tmp/text.csvt"
to_shp "$tmp/text.csv" "$out/text_field/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON

# null_values/: "value" numeric with NULL in features 3 and 8 (shapefile and GeoPackage)
fresh null_values
awk -F, 'BEGIN { OFS = "," } NR == 4 || NR == 9 { $4 = "" } { print }' "$tmp/squares.csv" >"$tmp/null.csv"
cp "$tmp/squares.csvt" "$tmp/null.csvt"
to_shp "$tmp/null.csv" "$out/null_values/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON
to_gpkg "$tmp/null.csv" "$out/null_values/squares.gpkg" -a_srs EPSG:32650 -nln squares -nlt POLYGON

# corrupt_weights/: malformed GAL/GWT files for good/squares.shp (ids = field "id", 1..9)
fresh corrupt_weights
w=$out/corrupt_weights
g=$out/good/squares.gal
t=$out/good/squares.gwt
# GAL: header not "n" nor "0 n layer idfield"
{ printf 'GAL weights for squares\n'; tail -n +2 "$g"; } >"$w/corrupt_header.gal"
# GAL: neighbour count of observation 4 is not a number
awk 'NR == 8 { print "4 three"; next } { print }' "$g" >"$w/corrupt_count.gal"
# GAL: observation 5 lists neighbour 42, which is not in the layer
awk 'NR == 11 { print "2 4 42 8"; next } { print }' "$g" >"$w/corrupt_id.gal"
# GAL: header promises 9 observations; the file stops after observation 6's count line
head -n 12 "$g" >"$w/corrupt_truncated.gal"
# GAL: observation 2 claims 3 neighbours but lists 2 (count/list mismatch)
awk 'NR == 4 { print "2 3"; next } NR == 5 { print "1 3"; next } { print }' "$g" >"$w/corrupt_listcount.gal"
# GWT: header's n is not a number
{ printf '0 nine squares id\n'; tail -n +2 "$t"; } >"$w/corrupt_header.gwt"
# GWT: a weight that is not a number (line 6: 2 -> 5)
awk 'NR == 6 { print $1, $2, "heavy"; next } { print }' "$t" >"$w/corrupt_weight.gwt"
# GWT: neighbour id 42 not in the layer
awk 'NR == 3 { print $1, 42, $3; next } { print }' "$t" >"$w/corrupt_id.gwt"
# GWT: cut in the middle of the last record (no weight, no newline)
{ head -n 19 "$t"; printf '7 8'; } >"$w/corrupt_truncated.gwt"

# =======================================================================================
# Corrupt inputs that GDAL reads without complaint, and real-world inputs that must be read
# (issue 11, reading side). Byte offsets below are those of good/squares.* (checked).
# ---------------------------------------------------------------------------------------
shp_size=$((100 + 9 * 136))
[ "$(wc -c <"$out/good/squares.shp")" -eq $shp_size ] ||
    { echo "make_bad_inputs: unexpected squares.shp layout" >&2; exit 1; }
copy_good() { for e in shp shx dbf prj cpg; do cp "$out/good/squares.$e" "$out/$1/squares.$e"; done; }
# dbf_field FILE NAME -> "offset length" of the field in a record (offset counts the deletion
# flag byte), from the field descriptors (32 bytes each from byte 32, name in bytes 0-10,
# length in byte 16)
dbf_field() {
    od -A n -t u1 -v -N 1024 "$1" | tr -s ' \n' '\n\n' | grep -v '^$' | awk -v want="$2" '
        { b[NR - 1] = $1 }
        END { off = 1
              for (p = 32; b[p] != 13; p += 32) {
                  name = ""; for (k = 0; k < 11 && b[p + k] != 0; k++) name = name sprintf("%c", b[p + k])
                  if (name == want) { print off, b[p + 16]; exit }
                  off += b[p + 16] } }'
}
dbf_u16() { od -A n -t u2 -j "$2" -N 2 "$1" | tr -d ' '; }  # little-endian on every CI host
hlen=$(dbf_u16 "$out/good/squares.dbf" 8)
rlen=$(dbf_u16 "$out/good/squares.dbf" 10)

# truncated_shp/: the .shp cut in the middle of record 7 (its .shx still lists 9 records):
# records 7-9 point past the end of the file
fresh truncated_shp
copy_good truncated_shp
head -c $((100 + 136 * 6 + 60)) "$out/good/squares.shp" >"$out/truncated_shp/squares.shp"

# swapped_shx/: .shx entries 2 and 3 exchanged: GDAL would give feature 2 the polygon of
# square 3 and the reverse
fresh swapped_shx
copy_good swapped_shx
dd if="$out/good/squares.shx" of="$out/swapped_shx/squares.shx" bs=1 skip=108 seek=116 count=8 conv=notrunc 2>/dev/null
dd if="$out/good/squares.shx" of="$out/swapped_shx/squares.shx" bs=1 skip=116 seek=108 count=8 conv=notrunc 2>/dev/null

# short_dbf/: the .dbf cut in the middle of record 6 (its header still says 9 records)
fresh short_dbf
copy_good short_dbf
head -c $((hlen + rlen * 5 + rlen / 2)) "$out/good/squares.dbf" >"$out/short_dbf/squares.dbf"

# truncated_dbf/: the .dbf cut after record 5, on a record boundary (header says 9)
fresh truncated_dbf
copy_good truncated_dbf
head -c $((hlen + rlen * 5)) "$out/good/squares.dbf" >"$out/truncated_dbf/squares.dbf"

# text_numeric/: the numeric field "value" (N 24.15) of record 4 holds the text "abc"
fresh text_numeric
copy_good text_numeric
set -- $(dbf_field "$out/good/squares.dbf" value)
[ $# -eq 2 ] || { echo "make_bad_inputs: no field value in good/squares.dbf" >&2; exit 1; }
awk -v w="$2" 'BEGIN { s = "abc"; while (length(s) < w) s = " " s; printf "%s", s }' |
    dd of="$out/text_numeric/squares.dbf" bs=1 seek=$((hlen + rlen * 3 + $1)) conv=notrunc 2>/dev/null

# bad_field_length/: the length byte of field "name" lowered by 3 (the record length no longer
# adds up; GDAL opens it with no fields at all)
fresh bad_field_length
copy_good bad_field_length
set -- $(dbf_field "$out/good/squares.dbf" name)
p=$(od -A n -t u1 -v -N 1024 "$out/good/squares.dbf" | tr -s ' \n' '\n\n' | grep -v '^$' |
    awk '{ b[NR - 1] = $1 } END { for (p = 32; b[p] != 13; p += 32)
        if (b[p] == 110 && b[p + 1] == 97 && b[p + 2] == 109 && b[p + 3] == 101 && b[p + 4] == 0) print p }')
printf "\\$(printf %03o $(($2 - 3)))" | dd of="$out/bad_field_length/squares.dbf" bs=1 seek=$((p + 16)) conv=notrunc 2>/dev/null

# binary_cpg/: a .cpg of binary bytes (GDAL then turns every name into "")
fresh binary_cpg
copy_good binary_cpg
printf '\377\376\000\001\033' >"$out/binary_cpg/squares.cpg"

# damaged_gpkg/: 3000 points in a GeoPackage without spatial index; one 4 KiB page of the
# feature table's B-tree overwritten with "U" bytes (SQLite: database disk image is malformed
# when the read reaches it; GDAL read the 2522 features before it and stopped)
fresh damaged_gpkg
awk 'BEGIN { print "id,name,value,wkt"
    for (i = 1; i <= 3000; i++) printf "%d,shop number %d,%.3f,\"POINT (%.1f %.1f)\"\n", i, i,
        i * 0.5, 800000 + (i % 60) * 50, 3240000 + int(i / 60) * 50 }' >"$tmp/shops.csv"
printf '"Integer","String","Real","String"\n' >"$tmp/shops.csvt"
to_gpkg "$tmp/shops.csv" "$out/damaged_gpkg/shops.gpkg" -a_srs EPSG:32650 -nln shops -lco SPATIAL_INDEX=NO
pages=$(($(wc -c <"$out/damaged_gpkg/shops.gpkg") / 4096))
awk 'BEGIN { for (i = 0; i < 4096; i++) printf "U" }' |
    dd of="$out/damaged_gpkg/shops.gpkg" bs=4096 seek=$((pages - 8)) conv=notrunc 2>/dev/null

# text_numeric/squares.gpkg: the GeoPackage INTEGER column "count" of feature 4 holds the
# text 'abc' (SQLite keeps it; GDAL reads 0). No spatial index, so no R-tree trigger to fire.
rm -f "$out/text_numeric/squares.gpkg"
to_gpkg "$tmp/squares.csv" "$out/text_numeric/squares.gpkg" -a_srs EPSG:32650 -nln squares \
    -nlt POLYGON -lco SPATIAL_INDEX=NO
python3 - "$out/text_numeric/squares.gpkg" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE squares SET count = 'abc' WHERE fid = 4")
con.commit()
con.close()
PY

# broken_json/: a GeoJSON cut in the middle (does not parse)
fresh broken_json
head -c 700 "$out/empty_geom/squares.geojson" >"$out/broken_json/squares.geojson"

# undefined_srs/: a GeoPackage written by ogr2ogr from a CSV without -a_srs: GDAL gives it
# srs_id 0 "Undefined geographic SRS", but the coordinates are the UTM metres of the grid
fresh undefined_srs
to_gpkg "$tmp/squares.csv" "$out/undefined_srs/squares.gpkg" -nln squares -nlt POLYGON

# selfintersect/: a census-like layer: squares 2 and 8 have a sliver on their top edge whose
# ring runs back over itself (GEOS: Self-intersection), as is common in census boundaries;
# the squares' corners are unchanged, so neighbours are those of the grid
fresh selfintersect
sliver() { # k -> POLYGON with the self-intersecting top edge
    awk -v k="$1" -v x0=$X0 -v y0=$Y0 -v s=$S 'BEGIN { c = (k - 1) % 3; r = int((k - 1) / 3);
        x = x0 + c * s; y = y0 + r * s;
        printf "((%d %d,%d %d,%d %d,%d %d,%d %d,%d %d,%d %d,%d %d))", x, y, x + s, y, x + s, y + s,
            x + 0.6 * s, y + s, x + 0.4 * s, y + 0.9 * s, x + 0.7 * s, y + s, x, y + s, x, y }'
}
awk -F, -v p2="$(sliver 2)" -v p8="$(sliver 8)" 'BEGIN { OFS = "," }
    NR == 3 || NR == 9 { sub(/"POLYGON .*"$/, "\"POLYGON " (NR == 3 ? p2 : p8) "\"") } { print }' \
    "$tmp/squares.csv" >"$tmp/sliver.csv"
cp "$tmp/squares.csvt" "$tmp/sliver.csvt"
to_shp "$tmp/sliver.csv" "$out/selfintersect/squares.shp" -a_srs EPSG:32650 -nln squares -nlt POLYGON

# geographic_planar/: the UTM grid with a .prj that says WGS 84 longitude/latitude (a .prj
# copied from another layer): coordinates outside [-180, 360] x [-90, 90] cannot be degrees
fresh geographic_planar
to_shp "$tmp/squares.csv" "$out/geographic_planar/squares.shp" -a_srs EPSG:4326 -nln squares -nlt POLYGON

# zipped/: good/squares.* in a .zip (fixed timestamps, so the bytes are reproducible)
fresh zipped
python3 - "$out/good" "$out/zipped/squares.zip" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for e in ("shp", "shx", "dbf", "prj", "cpg"):
        info = zipfile.ZipInfo("squares." + e, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(f"{src}/squares.{e}", "rb") as f:
            z.writestr(info, f.read())
PY
# tables/: the squares' attributes without geometry: a GeoPackage attribute table (no
# geometry column) and a lone .dbf. agglo_table_read reads them (geodetector, dagum, panels);
# commands that need geometry refuse them with one line.
fresh tables
to_gpkg "$tmp/squares.csv" "$out/tables/squares.gpkg" -nln attributes -nlt NONE
ogr2ogr -q -f "ESRI Shapefile" "$out/tables/squares.dbf" "$tmp/squares.csv" \
    -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -lco ENCODING=UTF-8 -nlt NONE -nln squares
pin_dbf "$out/tables/squares.dbf"

# shp_dir/: directories of Shapefiles, which GDAL opens as one source with a layer per file:
# one/ holds good/squares.*, two/ holds it and a copy named grid.* (two layers: --layer needed)
fresh shp_dir
mkdir -p "$out/shp_dir/one" "$out/shp_dir/two"
for e in shp shx dbf prj cpg; do
    cp "$out/good/squares.$e" "$out/shp_dir/one/squares.$e"
    cp "$out/good/squares.$e" "$out/shp_dir/two/squares.$e"
    cp "$out/good/squares.$e" "$out/shp_dir/two/grid.$e"
done

# A FIFO cannot be committed: tests/cli/io.sh and tests/unit/test_io.c make one with mkfifo.

echo "bad-input corpus written to $out"
