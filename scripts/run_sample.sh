#!/usr/bin/env bash
# The main job on the bundled sample data: installs what is missing, builds agglo, then runs
# the workflow of a "Taobao village" study on sample_shapes/ and writes everything to out/:
#   shops per township (spatial join) -> queen weights -> global Moran, LISA, Gi* hot spots
#   -> concentration indices -> GWR of shop counts -> kernel density and point patterns.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
A=build/agglo
S=sample_shapes
O=${AGGLO_OUT:-out}
mkdir -p "$O"
step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "What is in the sample townships" $A info $S/counties.shp
step "Shops per township (spatial join)" \
  $A join $S/counties.shp $S/shops.gpkg --count shops --sum sales --out "$O/townships_shops.gpkg"
step "Queen contiguity weights" \
  $A weights "$O/townships_shops.gpkg" --queen --id code --summary --out "$O/queen.gal"
step "Global Moran's I of shop counts (999 permutations)" \
  $A moran "$O/townships_shops.gpkg" --var shops --weights "$O/queen.gal" --id code \
     --permutations 999 --seed 1 --png "$O/moran_scatter.png" --hist-png "$O/moran_permutations.png"
step "Local Moran (LISA) clusters" \
  $A lisa "$O/townships_shops.gpkg" --var shops --weights queen --permutations 999 --seed 1 \
     --out "$O/lisa.gpkg" --png "$O/lisa_clusters.png" --quiet
step "Getis-Ord Gi* hot spots" \
  $A hotspot "$O/townships_shops.gpkg" --var shops --weights queen --out "$O/hotspots.gpkg" \
     --png "$O/hotspots.png" --quiet
step "Concentration of shops relative to population" \
  $A concentration "$O/townships_shops.gpkg" --count shops --base pop --out "$O/concentration.csv"
step "Poisson GWR: shops ~ internet users + road density, offset population (adaptive bisquare, AICc)" \
  $A gwr "$O/townships_shops.gpkg" --y shops --x internet,roads --family poisson --offset pop \
     --to EPSG:32650 --kernel bisquare --adaptive --bw-min 20 --out "$O/gwr.gpkg" --png "$O/gwr.png"
step "Kernel density of shops (500 m cells)" \
  $A kde $S/shops.gpkg --to EPSG:32650 --cell 500 --bandwidth silverman \
     --out "$O/density.tif" --png "$O/density.png" --overlay $S/counties.shp
step "Point pattern of shops: Clark-Evans, Ripley's L, standard deviational ellipse" \
  $A points $S/shops.gpkg --to EPSG:32650 --out "$O/ellipse.gpkg" --png "$O/ripley_L.png" \
     --sde-png "$O/ellipse.png" --overlay $S/counties.shp
printf '\nOutputs in %s/:\n' "$O"; ls -1 "$O"
