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
     --weight sales --scale km2 --method exact --quiet && ok || bad "kde kernel $k"
done
# mask by polygons (NY8 tracts, their own centroids as points)
out=$("$AGGLO" kde "$TEST_DATA/ny8/NY8_utm18.shp" --make-valid --cell 1000 --bandwidth 8000 \
      --mask "$TEST_DATA/ny8/NY8_utm18.shp" --out "$SCRATCH/ny.tif" --png "$SCRATCH/ny.png" --json) \
  && ok || bad "kde mask: $out"
kept=$(echo "$out" | sed 's/.*"cells_kept":\([0-9]*\).*/\1/')
total=$(echo "$out" | sed 's/.*"ncols":\([0-9]*\),"nrows":\([0-9]*\).*/\1 \2/' | awk '{print $1*$2}')
[ "$kept" -gt 0 ] && [ "$kept" -lt "$total" ] && ok || bad "mask kept $kept of $total"

# bad inputs
expect_fail 2 "--cell SIZE is required" -- "$AGGLO" kde "$P/shops_clustered.csv"
expect_fail 2 "not a number" -- "$AGGLO" kde "$P/shops_clustered.csv" --cell 10 --bandwidth wide
expect_fail 2 "unknown kernel" -- "$AGGLO" kde "$P/shops_clustered.csv" --cell 10 --kernel box
expect_fail 2 "GeoTIFF" -- "$AGGLO" kde "$P/shops_clustered.csv" --cell 10 --out "$SCRATCH/x.png"
expect_fail 1 "nc_plants.csv: coordinates are geographic" -- "$AGGLO" kde "$P/nc_plants.csv" --cell 1000
expect_fail 1 "no field 'turnover'" -- "$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 500 --weight turnover --out "$SCRATCH/x.tif"
[ ! -e "$SCRATCH/x.tif" ] && ok || bad "partial tif after failure"
expect_fail 1 "cannot write" -- "$AGGLO" kde "$P/shops_clustered.csv" --crs EPSG:32650 --cell 500 --out "$SCRATCH/no/such/dir/x.tif"
expect_fail 1 "nope.csv" -- "$AGGLO" kde "$SCRATCH/nope.csv" --cell 500
# lon/lat reprojected on read works
"$AGGLO" kde "$P/nc_plants.csv" --to EPSG:32617 --cell 5000 --quiet && ok || bad "kde with --to"
ls -a "$SCRATCH" | grep -q '^\.x\.tif' && bad "temporary file left behind" || ok
finish
