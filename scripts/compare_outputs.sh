#!/usr/bin/env bash
# Compares the outputs two runs of scripts/run_sample.sh wrote (AGGLO_OUT=dirA, AGGLO_OUT=dirB):
# layers through GDAL as CSV with WKT geometry, rasters by their values (gdal_translate to XYZ),
# everything else byte for byte. A refactoring must leave every file identical.
#   scripts/compare_outputs.sh out_before out_after
set -uo pipefail
a=${1:?usage: compare_outputs.sh DIR_A DIR_B} b=${2:?usage: compare_outputs.sh DIR_A DIR_B}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
dump() {
  case "$1" in
    *.gpkg|*.shp|*.geojson|*.fgb) ogr2ogr -q -f CSV /vsistdout/ "$1" -lco GEOMETRY=AS_WKT ;;
    *.tif) gdal_translate -q -of XYZ "$1" /vsistdout/ ;;
    *) cat "$1" ;;
  esac
}
status=0
for f in "$a"/*; do
  name=$(basename "$f")
  if [ ! -e "$b/$name" ]; then echo "only in $a: $name"; status=1; continue; fi
  dump "$f" >"$tmp/a" 2>&1; dump "$b/$name" >"$tmp/b" 2>&1
  if cmp -s "$tmp/a" "$tmp/b"; then echo "same       $name"
  else echo "DIFFERENT  $name ($(diff "$tmp/a" "$tmp/b" | grep -c '^<') lines)"; status=1; fi
done
for f in "$b"/*; do [ -e "$a/$(basename "$f")" ] || { echo "only in $b: $(basename "$f")"; status=1; }; done
exit $status
