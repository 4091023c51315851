#!/usr/bin/env bash
# Pictures through the CLI (issue 16): every figure type a command draws, written as PNG (and
# one as SVG and PDF), with the picture options: file type from the magic bytes, --dpi 300 =
# twice the pixels of --dpi 150, --width 180mm at 300 dpi = 2126 px, a Chinese --title with
# no missing-glyph warning (and a hieroglyph title with one, so the check can fail), rows
# dropped by --drop-missing drawn as grey "no data", LISA significance levels the
# permutations cannot reach left out of the legend, moran --hist-png, points --sde-png.
# Colours are read from SVG output (cairo writes fills as rgb(r%,g%,b%)).
source "$(dirname "$0")/lib.bash"
S="$SAMPLE"
C="$TEST_DATA/columbus/columbus.shp"
O="$SCRATCH"
# PNG width / height from the IHDR chunk (bytes 16-19 and 20-23, big-endian)
png_u32() { od -An -tu1 -j"$2" -N4 "$1" | awk '{print (($1 * 256 + $2) * 256 + $3) * 256 + $4}'; }
png_w() { png_u32 "$1" 16; }
png_h() { png_u32 "$1" 20; }
is_png() { [ "$(od -An -tx1 -N4 "$1" | tr -d " \n")" = 89504e47 ]; }
is_svg() { head -c 200 "$1" | grep -q "<svg\|<?xml"; }
is_pdf() { [ "$(head -c 5 "$1")" = "%PDF-" ]; }
# run: the command must succeed and print no missing-glyph warning
run() {
  local err; err=$("$@" 2>&1 >/dev/null) || { bad "$* failed: $err"; return 1; }
  case "$err" in *"no glyph"*) bad "$*: missing glyphs: $err"; return 1 ;; esac
  ok
}
ZH="淘宝村的空间集聚"
# --- every figure type, PNG, with the Chinese title, subtitle and caption
P=(--title "$ZH" --subtitle "浙江省 2020" --caption "数据来源: 样例")
run "$AGGLO" lisa "$C" --var CRIME --permutations 99 --png "$O/lisa.png" --sig-png "$O/sig.png" \
  --scatter-png "$O/lisa_scatter.png" --quiet "${P[@]}"
run "$AGGLO" hotspot "$C" --var CRIME --png "$O/hot.png" --quiet "${P[@]}"
run "$AGGLO" moran "$C" --var CRIME --permutations 199 --png "$O/moran.png" --hist-png "$O/hist.png" \
  --label POLYID --quiet "${P[@]}"
run "$AGGLO" regress "$C" --y CRIME --x INC,HOVAL --png "$O/resid.png" --breaks natural --classes 5 \
  --quiet "${P[@]}"
run "$AGGLO" kde "$S/shops.gpkg" --to EPSG:32650 --cell 2000 --png "$O/kde.png" \
  --overlay "$S/counties.shp" --quiet "${P[@]}"
run "$AGGLO" points "$S/shops.gpkg" --to EPSG:32650 --k --sde --nr 64 --png "$O/L.png" \
  --sde-png "$O/sde.png" --period category --overlay "$S/counties.shp" --quiet "${P[@]}"
run "$AGGLO" geodetector "$TEST_DATA/detect/disease.csv" --y incidence --factors watershed,soiltype \
  --png "$O/q.png" --quiet "${P[@]}"
printf 'region,year,pci\n' > "$O/long.csv"
for y in 2000 2010 2020; do for r in 1 2 3 4 5 6 7 8; do
  printf '%s,%s,%s\n' "$r" "$y" "$(( (r * 37 + y) % 50 + 10 ))" >> "$O/long.csv"; done; done
run "$AGGLO" distribution "$O/long.csv" --var pci --time year --png "$O/dist.png" --quiet "${P[@]}"
for f in lisa sig lisa_scatter hot moran hist resid kde L sde q dist; do
  is_png "$O/$f.png" && [ "$(png_w "$O/$f.png")" -gt 300 ] && ok || bad "$f.png is not a PNG picture"
done
# --- the hieroglyph control: the missing-glyph check does fire
err=$("$AGGLO" hotspot "$C" --var CRIME --png "$O/hiero.png" --quiet --title "𓀀𓀁𓀂" 2>&1 >/dev/null)
case "$err" in *"no glyph"*) ok ;; *) bad "no missing-glyph warning for hieroglyphs: $err" ;; esac
# --- SVG and PDF by extension
run "$AGGLO" lisa "$C" --var CRIME --png "$O/lisa.svg" --quiet
run "$AGGLO" lisa "$C" --var CRIME --png "$O/lisa.pdf" --quiet
is_svg "$O/lisa.svg" && ok || bad "lisa.svg is not SVG: $(head -c 60 "$O/lisa.svg")"
is_pdf "$O/lisa.pdf" && ok || bad "lisa.pdf is not PDF"
# --- resolution and size
for d in 150 300; do
  run "$AGGLO" moran "$C" --var CRIME --png "$O/m$d.png" --dpi "$d" --quiet
  run "$AGGLO" lisa "$C" --var CRIME --png "$O/l$d.png" --dpi "$d" --quiet
done
for f in m l; do
  w1=$(png_w "$O/${f}150.png"); w2=$(png_w "$O/${f}300.png")
  h1=$(png_h "$O/${f}150.png"); h2=$(png_h "$O/${f}300.png")
  [ "$w2" = $((2 * w1)) ] && [ "$h2" = $((2 * h1)) ] && ok || bad "$f: 300 dpi ${w2}x$h2, 150 dpi ${w1}x$h1"
done
run "$AGGLO" hotspot "$C" --var CRIME --png "$O/mm.png" --dpi 300 --width 180mm --height 120mm --quiet
[ "$(png_w "$O/mm.png")x$(png_h "$O/mm.png")" = 2126x1417 ] && ok || bad "180 x 120 mm at 300 dpi: $(png_w "$O/mm.png")x$(png_h "$O/mm.png")"
run "$AGGLO" hotspot "$C" --var CRIME --png "$O/px.png" --width 800px --quiet
[ "$(png_w "$O/px.png")" = 800 ] && ok || bad "--width 800px: $(png_w "$O/px.png")"
# --- LISA significance legend: with 999 permutations the smallest pseudo p is 0.001, so no
# "p <= 0.0001" class (darkest green 0,0.267,0); analytic p can reach it
NODATA='fill:rgb(72%,72%,72%)'
DARK='fill:rgb(0%,26.7%,0%)'
run "$AGGLO" lisa "$C" --var CRIME --permutations 999 --sig-png "$O/sig999.svg" --quiet
run "$AGGLO" lisa "$C" --var CRIME --sig-png "$O/sigan.svg" --quiet
grep -q "$DARK" "$O/sig999.svg" && bad "999 permutations: p <= 0.0001 in the legend" || ok
grep -q "$DARK" "$O/sigan.svg" && ok || bad "analytic p: p <= 0.0001 missing from the legend"
# --- rows dropped as missing are drawn as "no data" (grey) on the full layer
/usr/bin/python3 - "$O/grid.geojson" <<'PY'
import json, sys
feats = []
for i in range(5):
    for j in range(5):
        v = None if (i, j) == (2, 3) else float((i * 7 + j * 3) % 11)
        ring = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1], [i, j]]
        feats.append({"type": "Feature", "properties": {"name": f"c{i}{j}", "v": v},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
json.dump({"type": "FeatureCollection", "features": feats}, open(sys.argv[1], "w"))
PY
for cmd in lisa hotspot; do
  run "$AGGLO" "$cmd" "$O/grid.geojson" --var v --drop-missing --png "$O/nd_$cmd.svg" --quiet
  n=$(grep -c "$NODATA" "$O/nd_$cmd.svg")
  # the dropped square and its legend swatch
  [ "$n" -ge 2 ] && ok || bad "$cmd --drop-missing: $n no-data fills"
done
run "$AGGLO" lisa "$O/grid.geojson" --var v --where "v IS NOT NULL" --png "$O/nd_none.svg" --quiet
grep -q "$NODATA" "$O/nd_none.svg" && bad "no-data grey without dropped rows" || ok
# --- --overlay is reprojected: lon/lat counties over a UTM density
run "$AGGLO" kde "$S/shops.gpkg" --to EPSG:32650 --cell 2000 --png "$O/kde_ov.svg" --overlay "$S/counties.shp" --quiet
run "$AGGLO" kde "$S/shops.gpkg" --to EPSG:32650 --cell 2000 --png "$O/kde_no.svg" --quiet
[ "$(wc -c < "$O/kde_ov.svg")" -gt $(( $(wc -c < "$O/kde_no.svg") + 20000 )) ] && ok || bad "--overlay drew nothing"
# the density raster keeps its values (per m²); only the picture's legend is per km²
"$AGGLO" kde "$S/shops.gpkg" --to EPSG:32650 --cell 2000 --json --png "$O/kde2.png" \
  | grep -q '"max_density":[0-9.]*e-0[45]' && ok || bad "kde max_density not per square metre"
# --- usage errors
expect_fail 2 "--hist-png" -- "$AGGLO" moran "$C" --var CRIME --hist-png "$O/h.png"
expect_fail 1 "no field 'nosuch'" -- "$AGGLO" lisa "$C" --var CRIME --png "$O/x.png" --label nosuch
expect_fail 1 "no features to label" -- "$AGGLO" kde "$S/shops.gpkg" --to EPSG:32650 --cell 2000 --png "$O/x.png" --label sales
expect_fail 2 "--period draws" -- "$AGGLO" points "$S/shops.gpkg" --to EPSG:32650 --sde --period category
expect_fail 1 "no field 'nosuch'" -- "$AGGLO" points "$S/shops.gpkg" --to EPSG:32650 --sde --sde-png "$O/x.png" --period nosuch
[ ! -e "$O/x.png" ] && ok || bad "a failed run wrote a picture"
finish
