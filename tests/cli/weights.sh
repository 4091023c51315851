#!/usr/bin/env bash
# agglo weights end to end: kinds, files that round-trip through the CLI, summaries, and the
# bad-input policy (one line naming the file, exit 1, no partial output).
# Neighbour counts below are spdep's (scripts/reference/weights.R -> tests/data/reference/weights).
source "$(dirname "$0")/lib.bash"
C="$TEST_DATA/columbus/columbus.shp"
NC="$TEST_DATA/nc/nc.shp"
REF="$TEST_DATA/reference/weights"
links() { tail -n +2 "$1" | wc -l | tr -d ' '; }

"$AGGLO" weights --help | grep -q "usage: agglo weights" && ok || bad "weights --help"

# queen: spdep poly2nb gives 236 links on columbus
out=$("$AGGLO" weights "$C" --queen --json 2>/dev/null) || bad "queen columbus"
echo "$out" | grep -q '"links":236' && ok || bad "queen links: $out"
echo "$out" | grep -q '"symmetric":true' && ok || bad "queen symmetric: $out"
echo "$out" | grep -q '"components":1' && ok || bad "queen components: $out"

# every kind writes a file whose links equal the summary's
for kind in "--queen" "--rook" "--knn 4" "--band auto" "--idw 1 --band 0.9" \
            "--kernel gaussian --adaptive 6" "--queen --order 2" "--rook --order 3 --cumulative"; do
  # shellcheck disable=SC2086
  "$AGGLO" weights "$C" $kind --out "$SCRATCH/w.csv" --quiet 2>/dev/null || { bad "weights $kind"; continue; }
  # shellcheck disable=SC2086
  n=$("$AGGLO" weights "$C" $kind --csv 2>/dev/null | grep '^,links,' | cut -d, -f3)
  [ "$(links "$SCRATCH/w.csv")" = "$n" ] && ok || bad "weights $kind: file links $(links "$SCRATCH/w.csv") != summary $n"
done

# the CSV output of knn 4 is spdep's knn2nb(knearneigh(k = 4)) (1..n ids)
"$AGGLO" weights "$C" --knn 4 --out "$SCRATCH/k4.csv" 2>/dev/null
diff <(tail -n +2 "$SCRATCH/k4.csv" | cut -d, -f1,2 | sort) <(tail -n +2 "$REF/columbus_knn4.csv" | sort) >/dev/null \
  && ok || bad "knn 4 differs from spdep"

# GAL with an id field: GeoDa header, read back as --spec, converted to GWT, same summary
"$AGGLO" weights "$C" --rook --id POLYID --out "$SCRATCH/r.gal" 2>/dev/null && ok || bad "rook gal"
head -1 "$SCRATCH/r.gal" | grep -q '^0 49 columbus POLYID$' && ok || bad "GAL header: $(head -1 "$SCRATCH/r.gal")"
a=$("$AGGLO" weights "$C" --rook --csv 2>/dev/null | grep -v '^,input')
b=$("$AGGLO" weights "$C" --spec "$SCRATCH/r.gal" --csv 2>/dev/null | grep -v '^,input\|^,kind\|^,file')
[ "$(echo "$a" | grep -v '^,kind')" = "$b" ] && ok || bad "GAL round trip summary differs"
"$AGGLO" weights "$C" --spec "$SCRATCH/r.gal" --transform W --out "$SCRATCH/r.gwt" 2>/dev/null && ok || bad "gal -> gwt"
head -1 "$SCRATCH/r.gwt" | grep -q '^0 49 columbus' && ok || bad "GWT header"
# row-standardised: each focal's weights sum to 1
awk 'NR > 1 { s[$1] += $3 } END { for (k in s) if (s[k] < 0.999999 || s[k] > 1.000001) exit 1 }' "$SCRATCH/r.gwt" \
  && ok || bad "W rows do not sum to 1"
# libpysal's columbus.gal is the same queen graph
"$AGGLO" weights "$C" --spec "$REF/files/columbus_libpysal.gal" --json 2>/dev/null | grep -q '"links":236' \
  && ok || bad "libpysal columbus.gal"
# KWT keeps the diagonal
"$AGGLO" weights "$C" --kernel triangular --adaptive 5 --diagonal --out "$SCRATCH/k.kwt" 2>/dev/null
awk 'NR > 1 && $1 == $2' "$SCRATCH/k.kwt" | wc -l | grep -q '^49$' && ok || bad "KWT diagonal"

# lon/lat: distance weights refuse planar degrees, --arc works, contiguity does not care
expect_fail 1 "nc.shp: coordinates are longitude/latitude (degrees); distances need a projected CRS: reproject with --to EPSG:xxxx (e.g. a UTM zone), or use great-circle distances (--arc)" -- "$AGGLO" weights "$NC" --knn 4
"$AGGLO" weights "$NC" --knn 4 --arc --out "$SCRATCH/nc.csv" 2>/dev/null
diff <(tail -n +2 "$SCRATCH/nc.csv" | cut -d, -f1,2 | sort) <(tail -n +2 "$REF/nc_knn4.csv" | sort) >/dev/null \
  && ok || bad "nc knn 4 --arc differs from spdep longlat=TRUE"
# the shared coordinate policy (agglo_lonlat_check): --arc on projected coordinates is refused,
# on a layer without a CRS it warns that the coordinates are taken as degrees
expect_fail 1 "counties.shp: --arc needs longitude/latitude coordinates but the CRS is projected" -- \
  "$AGGLO" weights "$SAMPLE/counties.shp" --to EPSG:32650 --knn 4 --arc
err=$("$AGGLO" weights "$TEST_DATA/columbus/columbus.shp" --knn 4 --arc --quiet 2>&1 >/dev/null) && ok || bad "columbus --arc: $err"
printf '%s\n' "$err" | grep -q "columbus.shp: has no CRS; --arc takes its coordinates as longitude/latitude (degrees)" \
  && ok || bad "columbus --arc warning: $err"
"$AGGLO" weights "$NC" --queen --json 2>/dev/null | grep -q '"links":490' && ok || bad "nc queen links"

# islands are kept and reported with their ids
out=$("$AGGLO" weights "$C" --band 0.3 --json 2>"$SCRATCH/err")
echo "$out" | grep -q '"islands":[1-9]' && ok || bad "band 0.3 islands: $out"
echo "$out" | grep -q '"island_ids":"' && ok || bad "island ids missing"
grep -q "without neighbours" "$SCRATCH/err" && ok || bad "island warning missing"

# usage errors (exit 2)
expect_fail 2 "give one of" -- "$AGGLO" weights "$C"
expect_fail 2 "only one of" -- "$AGGLO" weights "$C" --queen --rook
expect_fail 2 "is not an integer" -- "$AGGLO" weights "$C" --knn x
expect_fail 2 "--kernel" -- "$AGGLO" weights "$C" --kernel cosine
expect_fail 2 "go with --kernel" -- "$AGGLO" weights "$C" --queen --bandwidth 2
# runtime errors (exit 1), no partial output
expect_fail 1 "nope.shp" -- "$AGGLO" weights "$SCRATCH/nope.shp" --queen
expect_fail 1 "unknown weights file type" -- "$AGGLO" weights "$C" --queen --out "$SCRATCH/w.xyz"
expect_fail 1 "/nonexistent-dir/w.gal" -- "$AGGLO" weights "$C" --queen --out /nonexistent-dir/w.gal
printf '0 49 columbus POLYID\n1 2\n2 3\n2 x\n' > "$SCRATCH/bad.gal"
expect_fail 1 "bad.gal: line 4" -- "$AGGLO" weights "$C" --spec "$SCRATCH/bad.gal" --out "$SCRATCH/bad_out.gwt"
[ ! -e "$SCRATCH/bad_out.gwt" ] && ok || bad "partial output after a failed read"
printf '3\n1 1\n2\n2 1\n1\n3 0\n\n' > "$SCRATCH/small.gal"
expect_fail 1 "the file has 3 observations but the layer has 49" -- "$AGGLO" weights "$C" --spec "$SCRATCH/small.gal"
expect_fail 1 "id field 'NSA' is not unique" -- "$AGGLO" weights "$C" --queen --id NSA --out "$SCRATCH/nsa.gal"
[ ! -e "$SCRATCH/nsa.gal" ] && ok || bad "output written with duplicated ids"
expect_fail 1 "contiguity weights need polygons" -- "$AGGLO" weights "$TEST_DATA/baltim/baltim.shp" --queen
[ -z "$(ls -A "$SCRATCH" | grep -i tmp)" ] && ok || bad "temporary files left: $(ls -A "$SCRATCH")"
# spdep styles U (all weights sum to 1) and minmax, equal to nb2listw(style=) (weights.R)
for st in U minmax; do
  "$AGGLO" weights "$C" --queen --transform $st --out "$SCRATCH/q_$st.csv" --quiet 2>/dev/null && ok || bad "--transform $st"
  "$AGGLO" weights "$C" --knn 4 --transform $st --out "$SCRATCH/k_$st.csv" --quiet 2>/dev/null && ok || bad "knn --transform $st"
  for pair in "q_$st:columbus_queen_style$st" "k_$st:columbus_knn4_style$st"; do
    awk -F, 'NR == FNR { if (FNR > 1) r[$1 "," $2] = $3; next }
             FNR > 1 { k = $1 "," $2; if (!(k in r)) exit 1; d = $3 - r[k]; if (d < 0) d = -d;
                       if (d > 1e-10 * r[k]) exit 1; n++ }
             END { if (n != length(r)) exit 1 }' "$REF/${pair#*:}.csv" "$SCRATCH/${pair%%:*}.csv" \
      && ok || bad "$pair differs from spdep"
  done
  "$AGGLO" weights "$C" --queen --transform $st --json 2>/dev/null | grep -q "\"transform\":\"$st\"" \
    && ok || bad "summary transform $st"
done
awk -F, 'NR > 1 { s += $3 } END { exit !(s > 0.999999999 && s < 1.000000001) }' "$SCRATCH/q_U.csv" \
  && ok || bad "style U does not sum to 1"
expect_fail 2 "--transform" -- "$AGGLO" weights "$C" --queen --transform X
# weights never silently change meaning
B="$TEST_DATA/baltim/baltim.shp"
# non-binary weights are refused in a .gal (one line, exit 1, no file); --gal-binary drops them
expect_fail 1 "idw.gal: a .gal holds neighbours only" -- "$AGGLO" weights "$C" --idw 1 --out "$SCRATCH/idw.gal"
[ ! -e "$SCRATCH/idw.gal" ] && ok || bad "idw .gal written"
expect_fail 1 "not binary" -- "$AGGLO" weights "$C" --queen --transform W --out "$SCRATCH/qw.gal"
"$AGGLO" weights "$C" --idw 1 --band 0.9 --gal-binary --out "$SCRATCH/idw.gal" --quiet 2>/dev/null && ok || bad "--gal-binary"
# impossible knn: refused with one line
expect_fail 1 "knn:1000 asks for 1000 neighbours but there are 49 observations" -- "$AGGLO" weights "$C" --knn 1000
expect_fail 1 "knn:49 asks" -- "$AGGLO" moran "$C" --var CRIME --weights knn:49
# GeoDa's knn .gwt (distances in the third column): Moran as GeoDa's, i.e. spdep read.gwt2nb +
# style W (scripts/reference/weights.R -> baltk4_gwt_moran.csv), with a warning naming the choice
near() { awk -v a="$1" -v b="$2" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(d <= 1e-12 * (b<0?-b:b))}'; }
for m in default binary weights distances; do
  opt=(); [ $m != default ] && opt=(--gwt-values $m)
  out=$("$AGGLO" moran "$B" --var PRICE --weights "$REF/files/baltk4.GWT" "${opt[@]}" --csv 2>"$SCRATCH/err") \
    || { bad "moran gwt $m"; continue; }
  r=$m; [ $m = default ] && r=binary
  got=$(echo "$out" | grep "^,I," | cut -d, -f3)
  ref=$(grep "^$r," "$REF/baltk4_gwt_moran.csv" | cut -d, -f2)
  near "$got" "$ref" && ok || bad "moran gwt $m: I $got != spdep $ref"
  got=$(echo "$out" | grep "^randomisation,variance," | cut -d, -f3)
  ref=$(grep "^$r," "$REF/baltk4_gwt_moran.csv" | cut -d, -f4)
  near "$got" "$ref" && ok || bad "moran gwt $m: variance $got != spdep $ref"
  if [ $m = default ]; then
    grep -q "baltk4.GWT: the .gwt values (5.09902 on line 2) are ignored" "$SCRATCH/err" && ok || bad "no gwt warning: $(cat "$SCRATCH/err")"
  else
    ! grep -q "are ignored" "$SCRATCH/err" && ok || bad "gwt warning with explicit --gwt-values $m"
  fi
done
expect_fail 2 "--gwt-values" -- "$AGGLO" moran "$B" --var PRICE --weights "$REF/files/baltk4.GWT" --gwt-values dist
# ids are exact strings: '01' is not feature 1, unless matched by feature order
{ echo 49; for i in $(seq -w 1 49); do printf '%s 0\n\n' "$i"; done; } > "$SCRATCH/zero.gal"
expect_fail 1 "zero.gal: line 2: id '01' is not an observation" -- "$AGGLO" weights "$C" --spec "$SCRATCH/zero.gal"
"$AGGLO" weights "$C" --spec "$SCRATCH/zero.gal" --weights-match order --json 2>/dev/null | grep -q '"islands":49' \
  && ok || bad "--weights-match order"
# spData's NY_nb.gal (ids 0..280) by feature order on NY8
"$AGGLO" weights "$TEST_DATA/ny8/NY8_utm18.shp" --spec "$REF/files/NY_nb.gal" --weights-match order --json 2>/dev/null \
  | grep -q '"n":281' && ok || bad "NY_nb.gal by order"
# ids with spaces: refused in GAL/GWT (were written as '_' and could not be read back), CSV round-trips
printf 'name,x,y\nNew York,0,0\nLos Angeles,1,0\nSan Jose,3,0\n' > "$SCRATCH/cities.csv"
expect_fail 1 "id 'New York' (observation 1) contains whitespace" -- "$AGGLO" weights "$SCRATCH/cities.csv" --x-field x --y-field y --crs EPSG:32610 --knn 1 --id name --out "$SCRATCH/c.gal"
"$AGGLO" weights "$SCRATCH/cities.csv" --x-field x --y-field y --crs EPSG:32610 --knn 1 --id name --out "$SCRATCH/c.csv" --quiet 2>/dev/null && ok || bad "csv with spaces"
"$AGGLO" weights "$SCRATCH/cities.csv" --x-field x --y-field y --crs EPSG:32610 --id name --spec "$SCRATCH/c.csv" --json 2>/dev/null \
  | grep -q '"links":3' && ok || bad "csv ids with spaces do not round-trip"
# subnormal weights are finite numbers (1e-320), as the option parser and tables accept them;
# overflow (1e999) is not
awk 'NR == 1 { print; next } { print $1, $2, "1e-320" }' "$SCRATCH/r.gwt" > "$SCRATCH/sub.gwt"
"$AGGLO" weights "$C" --spec "$SCRATCH/sub.gwt" --gwt-values weights --csv >/dev/null 2>"$SCRATCH/sub.err" \
  && ok || bad "subnormal weights refused: $(cat "$SCRATCH/sub.err")"
awk 'NR == 1 { print; next } { print $1, $2, (NR == 2 ? "1e999" : $3) }' "$SCRATCH/r.gwt" > "$SCRATCH/ovf.gwt"
expect_fail 1 "not a finite number" -- "$AGGLO" weights "$C" --spec "$SCRATCH/ovf.gwt" --gwt-values weights --csv
finish
