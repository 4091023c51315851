#!/usr/bin/env bash
# agglo kde end to end: GeoTIFF + PNG output, bandwidth rules against the R reference
# (tests/data/reference/kde/bandwidths.csv from scripts/reference/kde_reference.R), mask,
# and the bad-input policy (one line naming the file, exit 1 or 2, no partial output).
source "$(dirname "$0")/lib.bash"
P="$TEST_DATA/points"
"$AGGLO" kde --help | grep -q "usage: agglo kde" && ok || bad "kde --help"

# shops in metres (UTM-like coordinates); --crs because a CSV defaults to lon/lat
out=$("$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 200 --bandwidth arcgis \
      --extent 500000,3400000,520000,3416000 --out "$SCRATCH/d.tif" --png "$SCRATCH/d.png" --json) \
  && ok || bad "kde shops: $out"
[ -s "$SCRATCH/d.tif" ] && [ -s "$SCRATCH/d.png" ] && ok || bad "kde outputs missing"
ref=$(grep '^shops_clustered,' "$TEST_DATA/reference/kde/bandwidths.csv" | cut -d, -f4)
got=$(echo "$out" | sed 's/.*"bandwidth":\([0-9.e+-]*\).*/\1/')
awk -v a="$got" -v b="$ref" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(d <= 1e-9*b)}' && ok || bad "arcgis bandwidth $got != R $ref"
echo "$out" | grep -q '"ncols":100,"nrows":80' && ok || bad "grid size: $out"
info=$(gdalinfo "$SCRATCH/d.tif")
echo "$info" | grep -q "Size is 100, 80" && ok || bad "tif size"
echo "$info" | grep -q "UTM zone 50N" && ok || bad "tif CRS"
echo "$info" | grep -q "NoData Value=-9999" && ok || bad "tif nodata"
echo "$info" | grep -q "Pixel Size = (200.000000000000000,-200.000000000000000)" && ok || bad "tif pixel size"
# the integral of the intensity is the number of points (all kernel mass inside the grid)
out=$("$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 100 --bandwidth 300 \
      --kernel gaussian --pad 5000 --json) && ok || bad "kde gaussian"
echo "$out" | grep -qE '"integral":(419\.99|420\.00|420,)' && ok || bad "integral != 420: $out"
echo "$out" | grep -q '"method":"exact"' && ok || bad "auto method should pick exact for 420 points: $out"
out=$("$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 100 --bandwidth 300 \
      --kernel gaussian --pad 5000 --method fft --binning linear --json) && ok || bad "kde fft"
echo "$out" | grep -qE '"integral":(419\.99|420\.00|420,)' && ok || bad "fft integral != 420: $out"
# spatstat's edge correction raises the density near the border: the integral grows
i0=$("$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 200 --bandwidth 2000 --kernel gaussian \
     --json | sed 's/.*"integral":\([0-9.e+-]*\).*/\1/')
i1=$("$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 200 --bandwidth 2000 --kernel gaussian \
     --edge --json | sed 's/.*"integral":\([0-9.e+-]*\).*/\1/')
awk -v a="$i0" -v b="$i1" 'BEGIN{exit !(b > a && a < 420)}' && ok || bad "edge correction: $i0 -> $i1"
# weights, scale, exact method, each kernel
for k in quartic gaussian epanechnikov triangular uniform; do
  "$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 250 --bandwidth 800 --kernel $k \
     --point-weight sales --scale km2 --method exact --quiet && ok || bad "kde kernel $k"
done
# mask by polygons (NY8 tracts, their own centroids as points)
out=$("$AGGLO" kde "$TEST_DATA/ny8/NY8_utm18.shp" --make-valid --cell 1000 --bandwidth 8000 \
      --mask "$TEST_DATA/ny8/NY8_utm18.shp" --out "$SCRATCH/ny.tif" --png "$SCRATCH/ny.png" --json) \
  && ok || bad "kde mask: $out"
kept=$(echo "$out" | sed 's/.*"cells_kept":\([0-9]*\).*/\1/')
total=$(echo "$out" | sed 's/.*"ncols":\([0-9]*\),"nrows":\([0-9]*\).*/\1 \2/' | awk '{print $1*$2}')
[ "$kept" -gt 0 ] && [ "$kept" -lt "$total" ] && ok || bad "mask kept $kept of $total"

# a grid cut through a dense cluster: exact and FFT count the 133 points beyond the cut
# (max difference = binning error, < 3% of the maximum), --window-only leaves them out, saying so
C="$P/kde_cut_cluster.csv"; CE="--extent -1000,-2500,4500,2500"
for m in exact fft; do
  out=$("$AGGLO" kde "$C" --crs EPSG:32650 --cell 100 --bandwidth 300 --kernel gaussian $CE --method $m \
        --out "$SCRATCH/cut_$m.tif" --json 2>"$SCRATCH/err") && ok || bad "kde cut $m: $out"
  echo "$out" | grep -q '"points_outside_grid":133,"points_left_out":0' && ok || bad "cut $m counts: $out"
  [ ! -s "$SCRATCH/err" ] && ok || bad "cut $m warned: $(cat "$SCRATCH/err")"
done
for m in exact fft; do gdal_translate -q -of XYZ "$SCRATCH/cut_$m.tif" "$SCRATCH/cut_$m.xyz"; done
md=$(paste -d' ' "$SCRATCH/cut_exact.xyz" "$SCRATCH/cut_fft.xyz" | awk '
  { d = $3 - $6; if (d < 0) d = -d; if (d > dm) dm = d; if ($3 > m) m = $3 } END { print dm / m }')
awk -v d="$md" 'BEGIN{exit !(d < 0.03)}' && ok || bad "exact and fft differ by $md of the maximum"
"$AGGLO" kde "$C" --crs EPSG:32650 --cell 100 --bandwidth 300 $CE --window-only >/dev/null 2>"$SCRATCH/err" && ok || bad "window-only"
grep -q "133 point(s) outside the grid left out (--window-only)" "$SCRATCH/err" && ok || bad "window-only warning: $(cat "$SCRATCH/err")"
expect_fail 1 "kde_cut_cluster.csv: kde: the edge correction" -- "$AGGLO" kde "$C" --crs EPSG:32650 --cell 100 --bandwidth 300 $CE --edge
"$AGGLO" kde "$C" --crs EPSG:32650 --cell 100 --bandwidth 300 $CE --edge --window-only --quiet 2>/dev/null && ok || bad "edge + window-only"
# a bandwidth the cells cannot represent is refused, not written as an all-zero raster
expect_fail 1 "bandwidth 1e-300 is too small for cells of 100" -- "$AGGLO" kde "$C" --crs EPSG:32650 --cell 100 --bandwidth 1e-300 --out "$SCRATCH/tiny.tif"
[ ! -e "$SCRATCH/tiny.tif" ] && ok || bad "tif written for a refused bandwidth"

# bad inputs
expect_fail 2 "--cell SIZE is required" -- "$AGGLO" kde "$P/shops_clustered.csv"
expect_fail 2 "not a number" -- "$AGGLO" kde "$P/shops_clustered.csv" --cell 10 --bandwidth wide
expect_fail 2 "unknown kernel" -- "$AGGLO" kde "$P/shops_clustered.csv" --cell 10 --kernel box
expect_fail 2 "GeoTIFF" -- "$AGGLO" kde "$P/shops_clustered.csv" --cell 10 --out "$SCRATCH/x.png"
expect_fail 1 "nc_plants.csv: coordinates are longitude/latitude (degrees); distances need a projected CRS" -- "$AGGLO" kde "$P/nc_plants.csv" --cell 1000
expect_fail 1 "no field 'turnover'" -- "$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 500 --point-weight turnover --out "$SCRATCH/x.tif"
[ ! -e "$SCRATCH/x.tif" ] && ok || bad "partial tif after failure"
expect_fail 1 "cannot write" -- "$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 500 --out "$SCRATCH/no/such/dir/x.tif"
expect_fail 1 "nope.csv" -- "$AGGLO" kde "$SCRATCH/nope.csv" --cell 500
# lon/lat reprojected on read works
"$AGGLO" kde "$P/nc_plants.csv" --to EPSG:32617 --cell 5000 --quiet && ok || bad "kde with --to"
ls -a "$SCRATCH" | grep -q '^\.x\.tif' && bad "temporary file left behind" || ok
finish
