#!/usr/bin/env bash
# agglo trend and agglo ranksize against R lm (tests/data/reference/describe/ from
# scripts/reference/trend.R and scripts/reference/ranksize.R).
source "$(dirname "$0")/lib.bash"
R="$TEST_DATA/reference/describe"
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*(s>1?s:1))}'; }
COL="$TEST_DATA/columbus/columbus.shp"

"$AGGLO" --help | grep -q "^  trend " && ok || bad "trend listed"
"$AGGLO" --help | grep -q "^  ranksize " && ok || bad "ranksize listed"

# trend: every R2, adjusted R2, RMS, sigma, coefficient (scaled coordinates) and fitted value
# of lm(z ~ polym(u, v, degree = k, raw = TRUE)) to 1e-8, at centroids and points on surface
for loc in centroid point_on_surface; do
  opt=; [ $loc = point_on_surface ] && opt=--on-surface
  out=$("$AGGLO" trend "$COL" --var CRIME --order 1,2,3,6 $opt --csv --quiet --out "$SCRATCH/fit_$loc.csv" 2>/dev/null; \
        "$AGGLO" trend "$COL" --var CRIME --order 1,2,3,6 $opt --csv 2>/dev/null) && ok || bad "trend $loc"
  [ -s "$SCRATCH/fit_$loc.csv" ] && ok || bad "trend --out $loc"
  nchk=0
  while IFS=, read -r sec key val; do
    case "$sec" in "$loc"*) ;; *) continue ;; esac
    s=${sec#"$loc"}; s=${s# }
    case "$key" in
    fitted_*)
      row=${key#fitted_}; k=${s#order_}
      col=$(head -1 "$SCRATCH/fit_$loc.csv" | tr , '\n' | grep -nx "\"\\?fitted_$k\"\\?" | cut -d: -f1)
      # the first column is the geometry as quoted WKT: emptied so that commas split fields
      got=$(sed -n "$((row + 1))p" "$SCRATCH/fit_$loc.csv" | sed 's/^"[^"]*"//' | cut -d, -f"$col") ;;
    *) got=$(echo "$out" | grep "^$s,$key," | cut -d, -f3) ;;
    esac
    near "$got" "$val" 1e-8 && ok || bad "trend $loc $s $key: $got vs $val"
    nchk=$((nchk + 1))
  done < "$R/trend_R.csv"
  [ "$nchk" -gt 70 ] && ok || bad "trend $loc: only $nchk reference values"
done

# the GeoTIFF of the highest order over the layer's extent
out=$("$AGGLO" trend "$COL" --var CRIME --order 2,1 --raster "$SCRATCH/t.tif" --cell 0.05 --json 2>/dev/null) \
  && ok || bad "raster: $out"
[ -s "$SCRATCH/t.tif" ] && ok || bad "raster written"
echo "$out" | grep -q '"raster":{"output":"[^"]*t.tif","order":2' && ok || bad "raster order: $out"
if command -v gdalinfo >/dev/null; then
  gdalinfo -stats "$SCRATCH/t.tif" 2>/dev/null | grep -q "Type=Float64" && ok || bad "gdalinfo"
fi

expect_fail 2 "--order: .7. is not an integer in \\[1, 6\\]" -- "$AGGLO" trend "$COL" --var CRIME --order 7
expect_fail 2 "lists 2 twice" -- "$AGGLO" trend "$COL" --var CRIME --order 2,2
expect_fail 2 "--var FIELD is required" -- "$AGGLO" trend "$COL"
expect_fail 2 "--cell only applies" -- "$AGGLO" trend "$COL" --var CRIME --cell 1
expect_fail 2 "--png is not an option" -- "$AGGLO" trend "$COL" --var CRIME --png "$SCRATCH/x.png"
# order 6 needs more than 28 observations
expect_fail 1 "order 6 has 28 terms and needs more than 28 observations (20)" -- \
  "$AGGLO" trend "$COL" --var CRIME --where "POLYID <= 20" --order 6

# ranksize: lm on the transformations and the Gabaix-Ibragimov standard error, to 1e-10
NC="$TEST_DATA/nc/nc.shp"
for top in 0 30; do
  opt=; pre=; [ $top -gt 0 ] && { opt="--top $top"; pre="top$top "; }
  out=$("$AGGLO" ranksize "$NC" --size BIR74 $opt --csv) && ok || bad "ranksize $top"
  while IFS=, read -r sec key val; do
    case "$sec" in "$pre"*) ;; *) continue ;; esac
    s=${sec#"$pre"}
    [ -n "$pre" ] || case "$sec" in top*) continue ;; esac
    if [ "$s" = all ]; then got=$(echo "$out" | grep "^,$key," | cut -d, -f3)
    else got=$(echo "$out" | grep "^$s,$key," | cut -d, -f3); fi
    near "$got" "$val" 1e-10 && ok || bad "ranksize $top $s $key: $got vs $val"
  done < "$R/ranksize_R.csv"
done
"$AGGLO" ranksize "$NC" --size BIR74 --png "$SCRATCH/rs.png" --quiet && [ -s "$SCRATCH/rs.png" ] \
  && ok || bad "ranksize png"
printf 'name,pop\na,100\nb,0\nc,50\nd,20\ne,\n' > "$SCRATCH/p.csv"
expect_fail 1 "agglo: .*p.csv: pop is 0 in row 2.*--drop-missing" -- "$AGGLO" ranksize "$SCRATCH/p.csv" --size pop
"$AGGLO" ranksize "$SCRATCH/p.csv" --size pop --drop-missing --json 2>"$SCRATCH/w" \
  | grep -q '"n":3,"dropped":2' && ok || bad "drop-missing"
grep -q "2 rows with a missing, zero or negative pop left out" "$SCRATCH/w" && ok || bad "drop warning"
expect_fail 2 "--size FIELD is required" -- "$AGGLO" ranksize "$NC"
expect_fail 2 "--out is not an option" -- "$AGGLO" ranksize "$NC" --size BIR74 --out "$SCRATCH/x.csv"
finish
