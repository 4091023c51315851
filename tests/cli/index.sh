#!/usr/bin/env bash
# agglo index end to end against scripts/reference/composite.R (tests/data/reference/detect/):
# TOPSIS as R's topsis package (CRAN topsis 1.0) on Hwang & Yoon's fighter-aircraft example,
# entropy weights, pooled panel entropy and coupling degrees as R's mathmodels package.
# The io layer reads only sources with geometry (a CSV needs x/y columns), so the test adds a
# row-number x and a constant y; the index never uses them.
source "$(dirname "$0")/lib.bash"
R="$TEST_DATA/reference/detect"
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*(s>1?s:1))}'; }
awk -F, 'NR==1{print "x,y,"$0; next}{print NR-1",0,"$0}' "$R/composite_aircraft.csv" > "$SCRATCH/air.csv"
awk -F, 'NR==1{print "x,y,"$0; next}{print NR-1",0,"$0}' "$R/composite_panel.csv" > "$SCRATCH/panel.csv"
A="$SCRATCH/air.csv"; P="$SCRATCH/panel.csv"
IND=(--positive speed,range,payload,reliability,maneuver --negative cost)
"$AGGLO" index --help | grep -q "usage: agglo index" && ok || bad "help"
"$AGGLO" --help | grep -q "index" && ok || bad "command listed"
col() { awk -F, -v c="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==c) k=i; next}{print $k}' "$1"; }
check_col() { # file column reference-file reference-column tolerance label
  paste -d' ' <(col "$1" "$2") <(col "$3" "$4") | while read -r g r; do
    near "$g" "$r" "$5" || echo "$6: $g != R $r"; done > "$SCRATCH/diff"
  [ -s "$SCRATCH/diff" ] && bad "$(head -3 "$SCRATCH/diff")" || ok
}
# 1. TOPSIS with the textbook weights, vector normalisation (R's topsis)
"$AGGLO" index "$A" "${IND[@]}" --method topsis --quiet --out "$SCRATCH/t.csv" \
  --weights-given speed=0.2,range=0.1,payload=0.1,cost=0.1,reliability=0.2,maneuver=0.3 2>/dev/null \
  && ok || bad "topsis run"
check_col "$SCRATCH/t.csv" index "$R/composite_aircraft_scores.csv" topsis_textbook_w 1e-12 "topsis"
# 2. entropy weights and index (shift 0.0001 and 0.01) as mathmodels::entropy_weight
for s in 0.0001 0.01; do
  suf=""; [ "$s" = 0.01 ] && suf="_shift001"
  out=$("$AGGLO" index "$A" "${IND[@]}" --shift "$s" --csv --out "$SCRATCH/e$suf.csv" 2>/dev/null) \
    && ok || bad "entropy run $s"
  while IFS=, read -r ind w w2; do
    [ "$ind" = indicator ] && continue
    ref=$w; [ -n "$suf" ] && ref=$w2
    got=$(echo "$out" | grep "^indicator $ind,w," | cut -d, -f3)
    near "$got" "$ref" 1e-12 && ok || bad "entropy w $ind shift $s: $got != R $ref"
  done < "$R/composite_aircraft_weights.csv"
  check_col "$SCRATCH/e$suf.csv" index "$R/composite_aircraft_scores.csv" "entropy_index$suf" 1e-12 "entropy index $s"
done
# 3. entropy-TOPSIS with vector normalisation (R's topsis with the entropy weights)
"$AGGLO" index "$A" "${IND[@]}" --method entropy-topsis --normalize vector --quiet \
  --out "$SCRATCH/et.csv" 2>/dev/null && ok || bad "entropy-topsis run"
check_col "$SCRATCH/et.csv" index "$R/composite_aircraft_scores.csv" entropy_topsis_vector 1e-12 "entropy-topsis"
# 4. a panel: pooled global entropy, per-period means, coupling (classic and Wang)
for t in classic wang; do
  out=$("$AGGLO" index "$P" --positive income,pop --negative poverty,poverty_rate --time year \
        --coupling "income,pop|poverty,poverty_rate" --coupling-type $t --csv \
        --out "$SCRATCH/p_$t.csv" 2>/dev/null) && ok || bad "panel run $t"
  check_col "$SCRATCH/p_$t.csv" coupling_C "$R/composite_panel_scores.csv" "C_$t" 1e-12 "C $t"
  check_col "$SCRATCH/p_$t.csv" coupling_D "$R/composite_panel_scores.csv" "D_$t" 1e-12 "D $t"
done
check_col "$SCRATCH/p_classic.csv" index "$R/composite_panel_scores.csv" index 1e-12 "panel index"
check_col "$SCRATCH/p_classic.csv" U1 "$R/composite_panel_scores.csv" U1 1e-12 "U1"
check_col "$SCRATCH/p_classic.csv" U2 "$R/composite_panel_scores.csv" U2 1e-12 "U2"
check_col "$SCRATCH/p_classic.csv" coupling_T "$R/composite_panel_scores.csv" T 1e-12 "T"
while IFS=, read -r ind w ww; do
  [ "$ind" = indicator ] && continue
  got=$(echo "$out" | grep "^indicator $ind,w," | cut -d, -f3)
  near "$got" "$w" 1e-12 && ok || bad "panel w $ind: $got != R $w"
  got=$(echo "$out" | grep "^coupling w_within,$ind," | cut -d, -f3)
  near "$got" "$ww" 1e-12 && ok || bad "within w $ind: $got != R $ww"
done < "$R/composite_panel_weights.csv"
while IFS=, read -r y m; do
  [ "$y" = year ] && continue
  got=$(echo "$out" | grep "^period $y,index_mean," | cut -d, -f3)
  near "$got" "$m" 1e-12 && ok || bad "period $y mean $got != R $m"
done < "$R/composite_panel_periods.csv"
"$AGGLO" index "$A" "${IND[@]}" --json 2>/dev/null | grep -q '"cost":{"direction":"negative","e":' \
  && ok || bad "json"
# errors: constant indicator named, NULL rows refused/dropped, bad options
awk -F, 'BEGIN{OFS=","} NR>1{$8=4}1' "$A" > "$SCRATCH/const.csv"
expect_fail 1 "indicator reliability is constant" -- "$AGGLO" index "$SCRATCH/const.csv" "${IND[@]}"
sed 's/^2,0,A2,2.5,/2,0,A2,,/' "$A" > "$SCRATCH/null.csv"
expect_fail 1 "rows 2" -- "$AGGLO" index "$SCRATCH/null.csv" "${IND[@]}"
"$AGGLO" index "$SCRATCH/null.csv" "${IND[@]}" --drop-missing --csv 2>/dev/null | grep -q "^,n,3" \
  && ok || bad "drop-missing"
expect_fail 1 "no field 'nope'" -- "$AGGLO" index "$A" --positive nope
expect_fail 2 "required" -- "$AGGLO" index "$A"
expect_fail 2 "no weight for cost" -- "$AGGLO" index "$A" "${IND[@]}" --method topsis \
  --weights-given speed=1,range=1,payload=1,reliability=1,maneuver=1
expect_fail 2 "needs --method topsis" -- "$AGGLO" index "$A" "${IND[@]}" --weights-given speed=1
expect_fail 2 "not in --positive" -- "$AGGLO" index "$A" "${IND[@]}" --coupling "speed|bogus"
expect_fail 2 "coupling-type" -- "$AGGLO" index "$A" "${IND[@]}" --coupling "speed|cost" --coupling-type x
finish
