#!/usr/bin/env bash
# agglo geodetector end to end against the geodetector R package on its published example
# (tests/data/reference/detect/ from scripts/reference/geodetector.R).
# The published tables are read as they are: plain CSV without coordinates (agglo_table_read).
source "$(dirname "$0")/lib.bash"
R="$TEST_DATA/reference/detect"
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*(s>1?s:1))}'; }
D="$TEST_DATA/detect/disease.csv"
"$AGGLO" geodetector --help | grep -q "usage: agglo geodetector" && ok || bad "help"
"$AGGLO" --help | grep -q "geodetector" && ok || bad "command listed"
out=$("$AGGLO" geodetector "$D" --y incidence --factors watershed,soiltype,elevation --csv \
      --png "$SCRATCH/inter.png") && ok || bad "geodetector: $out"
while IFS=, read -r f q p; do
  [ "$f" = factor ] && continue
  got=$(echo "$out" | grep "^factor $f,q," | cut -d, -f3)
  near "$got" "$q" 1e-10 && ok || bad "q $f $got != R $q"
  got=$(echo "$out" | grep "^factor $f,p," | cut -d, -f3)
  near "$got" "$p" 1e-10 && ok || bad "p $f $got != R $p"
done < "$R/gd_factor.csv"
while IFS=, read -r a b q p qp; do
  [ "$a" = a ] && continue
  got=$(echo "$out" | grep "^interaction $a:$b,q," | cut -d, -f3)
  near "$got" "$qp" 1e-10 && ok || bad "q $a x $b $got != R $qp"
done < "$R/gd_interaction.csv"
echo "$out" | grep -q "^ecological watershed:soiltype,significant,yes" && ok || bad "ecological"
[ -s "$SCRATCH/inter.png" ] && file "$SCRATCH/inter.png" | grep -q PNG && ok || bad "png"
"$AGGLO" geodetector "$D" --y incidence --factors watershed --json | grep -q '"factor":{"watershed":{"q":' \
  && ok || bad "json"
# optimal discretisation of a continuous factor (GD's optidisc picks equal:7 for Precipitation)
out=$("$AGGLO" geodetector "$TEST_DATA/detect/ndvi_40.csv" --y NDVIchange --factors Precipitation \
      --discretize optimal --csv) && ok || bad "optimal: $out"
ref=$(awk -F, '$1=="Precipitation"{print $5}' "$R/disc_optimal.csv")
got=$(echo "$out" | grep "^factor Precipitation,q," | cut -d, -f3)
near "$got" "$ref" 1e-10 && ok || bad "optimal q $got != GD $ref"
echo "$out" | grep -q "^factor Precipitation,discretisation,equal" && ok || bad "optimal method"
# errors: unknown field (1), bad spec (2), NULL refused with the row (1), dropped on request
expect_fail 1 "agglo: .*disease.csv: no field 'nope'" -- "$AGGLO" geodetector "$D" --y incidence --factors nope
expect_fail 2 "discretize" -- "$AGGLO" geodetector "$D" --y incidence --factors watershed --discretize foo:3
expect_fail 2 "required" -- "$AGGLO" geodetector "$D" --y incidence
sed '6s/^6.77,/,/' "$D" > "$SCRATCH/missing.csv"
expect_fail 1 "rows 5" -- "$AGGLO" geodetector "$SCRATCH/missing.csv" --y incidence --factors watershed
"$AGGLO" geodetector "$SCRATCH/missing.csv" --y incidence --factors watershed --drop-missing --csv 2>/dev/null \
  | grep -q "^,n,184" && ok || bad "drop-missing"
# agglo dagum on Columbus INC by CP against scripts/reference/dagum.R
out=$("$AGGLO" dagum "$TEST_DATA/columbus/columbus.shp" --var INC --group CP --csv 2>/dev/null) \
  && ok || bad "dagum: $out"
for k in G G_within G_between_net G_transvariation theil_between; do
  got=$(echo "$out" | grep "^dagum,$k," | cut -d, -f3)
  ref=$(grep "^INC_CP,$k," "$R/dagum_columbus.csv" | cut -d, -f3)
  near "$got" "$ref" 1e-12 && ok || bad "dagum $k $got != R $ref"
done
expect_fail 2 "required" -- "$AGGLO" dagum "$TEST_DATA/columbus/columbus.shp" --var INC
expect_fail 1 "no field 'REGION'" -- "$AGGLO" dagum "$TEST_DATA/columbus/columbus.shp" --var INC --group REGION
finish
