#!/bin/sh
# agglo kde --bandwidth diggle end to end: the bandwidth against spatstat bw.diggle
# (tests/data/reference/kde/bw_diggle.csv, written by scripts/reference/kde_reference.R),
# window from --extent or the bounding box, and the bad-input messages.
set -u
fails=0
ok() { :; }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
P="$TEST_DATA/points"
R="$TEST_DATA/reference/kde/bw_diggle.csv"
mkdir -p "$SCRATCH"

check() { # name file extent(or -)
    ref=$(grep "^$1," "$R" | tr -d ' ' | cut -d, -f7)
    if [ "$3" = - ]; then
        out=$("$AGGLO" kde "$2" --crs EPSG:3857 --cell 0.05 --bandwidth diggle --json --out "$SCRATCH/d_$1.tif")
    else
        out=$("$AGGLO" kde "$2" --crs EPSG:3857 --cell 0.01 --bandwidth diggle --extent "$3" \
              --json --out "$SCRATCH/d_$1.tif")
    fi
    got=$(echo "$out" | sed 's/.*"bandwidth":\([0-9.e+-]*\).*/\1/')
    awk -v a="$got" -v b="$ref" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(b > 0 && d <= 1e-8*b)}' && ok ||
        bad "$1: diggle bandwidth '$got' != spatstat '$ref'"
    echo "$out" | grep -q '"bandwidth_rule":"diggle"' || bad "$1: rule name missing"
}
check redwood "$P/redwood.csv" 0,-1,1,0
check cells "$P/cells.csv" 0,0,1,1
check japanesepines "$P/japanesepines.csv" 0,0,1,1
# nc_plants: spatstat's window was the bounding box (agglo's default window)
sed 's/^lon,lat,size$/x,y,size/' "$P/nc_plants.csv" > "$SCRATCH/nc_plants_xy.csv"
check nc_plants "$SCRATCH/nc_plants_xy.csv" -

# bad input: one clear line naming the file, exit 1, no output file
printf 'x,y\n1,2\n' > "$SCRATCH/one.csv"
rm -f "$SCRATCH/one.tif"
msg=$("$AGGLO" kde "$SCRATCH/one.csv" --crs EPSG:3857 --cell 1 --bandwidth diggle \
      --out "$SCRATCH/one.tif" 2>&1); rc=$?
[ $rc -eq 1 ] || bad "one point: exit $rc"
echo "$msg" | grep -q "^agglo: .*one.csv: bandwidth diggle: needs at least 2 points" || bad "one point: '$msg'"
[ ! -e "$SCRATCH/one.tif" ] || bad "one point: output written"
printf 'x,y\n1,2\n3,2\n5,2\n' > "$SCRATCH/line.csv"
msg=$("$AGGLO" kde "$SCRATCH/line.csv" --crs EPSG:3857 --cell 1 --bandwidth diggle \
      --out "$SCRATCH/line.tif" 2>&1); rc=$?
[ $rc -eq 1 ] || bad "collinear: exit $rc"
echo "$msg" | grep -q "line.csv: bandwidth diggle: window .* has no area" || bad "collinear: '$msg'"
[ ! -e "$SCRATCH/line.tif" ] || bad "collinear: output written"

[ $fails -eq 0 ] || exit 1
echo "kde_diggle: all checks passed"
