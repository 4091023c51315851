#!/usr/bin/env bash
# agglo markov (and the other distribution-dynamics commands) end to end against PySAL giddy
# on libpysal's usjoin (tests/data/reference/dynamics/ from scripts/reference/markov_giddy.py).
source "$(dirname "$0")/lib.bash"
R="$TEST_DATA/reference/dynamics"
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN{d=a-b; if (d<0) d=-d; s=b<0?-b:b; exit !(d <= t*(s>1?s:1))}'; }
refv() { grep "^$1,$2," "$R/markov_giddy.csv" | cut -d, -f3; }
U="$R/usjoin.csv"; G="$R/states48_fips.gal"; Y=$(seq -s, 1929 2009)

"$AGGLO" markov --help | grep -q "usage: agglo markov" && ok || bad "help"
"$AGGLO" --help | grep -q "markov" && ok || bad "command listed"

# spatial Markov, wide table: giddy's documented LR 170.659, Q 200.624, df 60
out=$("$AGGLO" markov "$U" --id STATE_FIPS --wide "$Y" --relative --spatial --weights "$G" --csv) \
  && ok || bad "spatial: $out"
for k in Q LR; do
  got=$(echo "$out" | grep "^homogeneity,$k," | cut -d, -f3)
  near "$got" "$(refv spatial_k5_m5 $k)" 1e-9 && ok || bad "$k $got"
done
[ "$(echo "$out" | grep '^homogeneity,df,' | cut -d, -f3)" = 60 ] && ok || bad "df"
for ij in "0 0" "1 2" "4 3"; do
  set -- $ij
  got=$(echo "$out" | grep "^lag_class_0,p_$1_$2," | cut -d, -f3)
  near "$got" "$(refv spatial_k5_m5 "P0 $1 $2")" 1e-12 && ok || bad "P0 $ij $got"
done

# the same panel as a long table (id, year, income) gives the same tests
awk -F, 'NR==1 { for (i = 3; i <= NF; i++) { y[i] = $i; gsub(/"/, "", y[i]) } print "id,year,pci"; next }
         { for (i = 3; i <= NF; i++) print $2 "," y[i] "," $i }' "$U" > "$SCRATCH/long.csv"
out2=$("$AGGLO" markov "$SCRATCH/long.csv" --id id --time year --var pci --relative --spatial \
      --weights "$G" --csv) && ok || bad "long: $out2"
[ "$(echo "$out2" | grep '^homogeneity,')" = "$(echo "$out" | grep '^homogeneity,')" ] \
  && ok || bad "long != wide"

# classic Markov with quintiles of each year (giddy's Markov doc example)
out=$("$AGGLO" markov "$U" --id STATE_FIPS --prefix 19 --per-period --json) && ok || bad "prefix"
echo "$out" | grep -q '"periods":71' && ok || bad "prefix periods"
out=$("$AGGLO" markov "$U" --id STATE_FIPS --wide "$Y" --per-period --csv)
[ "$(echo "$out" | grep '^markov,transitions_0_0,' | cut -d, -f3)" = 729 ] && ok || bad "t00"
near "$(echo "$out" | grep '^markov,steady_0,' | cut -d, -f3)" 0.20774716 1e-8 && ok || bad "ss"

# LISA Markov: transitions as giddy, independence chi-square
out=$("$AGGLO" markov "$U" --id STATE_FIPS --wide "$Y" --lisa --weights "$G" --csv) \
  && ok || bad "lisa: $out"
[ "$(echo "$out" | grep '^lisa,transitions_0_0,' | cut -d, -f3)" = 1087 ] && ok || bad "lisa t00"
near "$(echo "$out" | grep '^independence,chi2,' | cut -d, -f3)" "$(refv lisa chi2)" 1e-9 \
  && ok || bad "lisa chi2"

# errors
sed '2s/,323,/,,/' "$U" > "$SCRATCH/null.csv"
expect_fail 1 "agglo: .*null.csv: 1 regions with NULL.*ids 1.*--drop-missing" -- \
  "$AGGLO" markov "$SCRATCH/null.csv" --id STATE_FIPS --wide "$Y"
"$AGGLO" markov "$SCRATCH/null.csv" --id STATE_FIPS --wide "$Y" --drop-missing --json 2>/dev/null \
  | grep -q '"regions":47' && ok || bad "drop-missing"
expect_fail 2 "long table needs --id" -- "$AGGLO" markov "$U" --time year --var pci
expect_fail 2 "need --weights" -- "$AGGLO" markov "$U" --id STATE_FIPS --wide "$Y" --spatial
expect_fail 2 "give --time" -- "$AGGLO" markov "$U" --id STATE_FIPS
expect_fail 1 "agglo: .*nosuch" -- "$AGGLO" markov "$SCRATCH/nosuch.csv" --id a --wide a,b
expect_fail 1 "agglo: .*no field 'nope'" -- "$AGGLO" markov "$U" --id STATE_FIPS --wide 1929,nope
# distribution: one density per year (R bw.nrd0), Theil per year, the curves figure
awk -F, 'NR==1 { for (i = 3; i <= NF; i++) { y[i] = $i; gsub(/"/, "", y[i]) } print "id,year,pci"; next }
         { for (i = 3; i <= NF; i++) if (y[i] == 1929 || y[i] == 1969 || y[i] == 2009) print $2 "," y[i] "," $i }' \
  "$U" > "$SCRATCH/long3.csv"
out=$("$AGGLO" distribution "$SCRATCH/long3.csv" --var pci --time year --png "$SCRATCH/dist.png" \
      --density "$SCRATCH/dens.csv" --csv) && ok || bad "distribution: $out"
for yr in 1929 1969 2009; do
  got=$(echo "$out" | grep "^$yr,bandwidth," | cut -d, -f3)
  near "$got" "$(grep "^$yr,bandwidth," "$R/distribution_R.csv" | cut -d, -f3)" 1e-12 && ok || bad "bw $yr"
done
[ -s "$SCRATCH/dist.png" ] && file "$SCRATCH/dist.png" | grep -q PNG && ok || bad "dist png"
[ "$(head -1 "$SCRATCH/dens.csv")" = "x,1929,1969,2009" ] && ok || bad "density csv header"
sed '2s/,[0-9]*$/,/' "$SCRATCH/long3.csv" > "$SCRATCH/long3null.csv"
expect_fail 1 "agglo: .*long3null.csv: 1 row with missing values in pci, year (rows 1); use --drop-missing" -- \
  "$AGGLO" distribution "$SCRATCH/long3null.csv" --var pci --time year
expect_fail 2 "--var FIELD is required" -- "$AGGLO" distribution "$SCRATCH/long3.csv"
finish
