#!/usr/bin/env bash
# Every command rejects the common options it does not use (exit 2, one line naming the
# option) instead of accepting and ignoring them; the common options it does use are listed
# in its --help and accepted; a bad option is one line, not getopt's message and ours.
source "$(dirname "$0")/lib.bash"
# every common option with a value to give it ('' for a flag)
declare -A VAL=([json]='' [csv]='' [out]="$SCRATCH/o.gpkg" [png]="$SCRATCH/o.png" [layer]=x
  [encoding]=GBK [to]=EPSG:4326 [crs]=EPSG:4326 [x-field]=x [y-field]=y [id]=id [where]='1=1'
  [strict]='' [make-valid]='' [quiet]='' [threads]=1 [seed]=1 [format]=GPKG [lco]=A=B
  [max-memory]=1G)
# the picture options of every command with --png (CLI_ACCEPT_PLOT)
declare -A PLOTVAL=([title]=T [subtitle]=S [caption]=C [dpi]=300 [width]=180mm [height]=800px
  [font]=Sans [label]=name [overlay]="$SAMPLE/counties.shp" [breaks]=natural [classes]=5)
# commands not yet on the shared option parser (cli_getopt): none may be added here
pending=" gwr "
cmds=$("$AGGLO" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}')
[ "$(echo "$cmds" | wc -w)" -ge 15 ] && ok || bad "agglo --help lists $(echo "$cmds" | wc -w) commands"
one_line() { # CMD ARGS...: exit 2 and exactly one stderr line, echoed
  local err rc; err=$("$AGGLO" "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" = 2 ] || { bad "agglo $* exited $rc, expected 2 ($err)"; return 1; }
  [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || { bad "agglo $*: more than one line: $err"; return 1; }
  printf '%s\n' "$err"
}
for cmd in $cmds; do
  # a bad option: one line naming it, for every command
  err=$(one_line "$cmd" --no-such-option) && ok
  err=$(one_line "$cmd" -Z) && ok
  case "$pending" in *" $cmd "*) continue ;; esac
  declared=" $("$AGGLO" "$cmd" --help | awk '/^Common options:/{on=1; next}
    on {for (i = 1; i <= NF; i++) if ($i ~ /^--[a-z-]+$/) {sub(/^--/, "", $i); print $i}}' | tr '\n' ' ') "
  case "$declared" in *" help "*) ok ;; *) bad "$cmd --help lists no common options" ;; esac
  for opt in "${!VAL[@]}"; do
    args=(--"$opt"); [ -n "${VAL[$opt]}" ] && args+=("${VAL[$opt]}")
    case "$declared" in
      *" $opt "*)
        # declared: accepted by the parser (the run then fails for want of an input)
        err=$("$AGGLO" "$cmd" "${args[@]}" 2>&1 >/dev/null)
        case "$err" in *"is not an option"*|*"unknown"*) bad "$cmd declares --$opt but rejects it: $err" ;; *) ok ;; esac ;;
      *)
        err=$(one_line "$cmd" "${args[@]}") || continue
        case "$err" in *"--$opt is not an option of this command"*) ok ;;
          *) bad "$cmd --$opt: '$err' does not name the option" ;; esac ;;
    esac
  done
  # the picture options: declared and accepted by every command with pictures (they list
  # "Picture options"), refused in one line by the others (a command's own option of the
  # same name, markov --classes, is left alone)
  pictures=$("$AGGLO" "$cmd" --help | grep -c "^Picture options")
  for opt in "${!PLOTVAL[@]}"; do
    case "$pictures" in
      1)
        case "$declared" in *" $opt "*) ok ;; *) bad "$cmd has --png but does not list --$opt" ;; esac
        err=$("$AGGLO" "$cmd" --"$opt" "${PLOTVAL[$opt]}" 2>&1 >/dev/null)
        case "$err" in *"is not an option"*|*"unknown"*) bad "$cmd declares --$opt but rejects it: $err" ;; *) ok ;; esac ;;
      *)
        "$AGGLO" "$cmd" --help | grep -q -- "--$opt " && continue
        err=$(one_line "$cmd" --"$opt" "${PLOTVAL[$opt]}") && ok ;;
    esac
  done
  # the value of a missing-argument option is named in one line
  err=$(one_line "$cmd" --layer) || true
done
# a bad picture option value is a usage error naming it
for args in "--dpi 0" "--width 12in" "--breaks jenkins" "--classes 1"; do
  # shellcheck disable=SC2086
  expect_fail 2 "${args%% *}: " -- "$AGGLO" moran "$SAMPLE/counties.shp" --var pop --png "$SCRATCH/x.png" $args
done
# the options the issue found ignored now exit 2 before any work
S="$SAMPLE"
for args in "moran $S/counties.shp --var pop --out $SCRATCH/m.gpkg" "geary $S/counties.shp --var pop --png $SCRATCH/g.png" \
            "info $S/counties.shp --png $SCRATCH/i.png" "hotspot $S/counties.shp --var pop --alpha 0.1" \
            "weights $S/counties.shp --queen --png $SCRATCH/w.png" "concentration $S/counties.shp --count pop --png $SCRATCH/c.png" \
            "join $S/counties.shp $S/shops.gpkg --out $SCRATCH/j.gpkg --png $SCRATCH/j.png"; do
  # shellcheck disable=SC2086
  expect_fail 2 "is not an option of this command" -- "$AGGLO" $args
done
ls "$SCRATCH"/*.png "$SCRATCH"/m.gpkg "$SCRATCH"/j.gpkg >/dev/null 2>&1 && bad "a refused run wrote a file" || ok
# deprecated spellings keep working with a warning naming the new option
err=$("$AGGLO" lisa "$S/counties.shp" --var pop --correction fdr --quiet 2>&1 >/dev/null) && ok || bad "lisa --correction: $err"
printf '%s\n' "$err" | grep -q -- "--correction is deprecated; use --p-adjust" && ok || bad "lisa --correction warning: $err"
# the renames of the redesign: the old spelling still works, with a warning naming the new
for args in "points $TEST_DATA/points/redwood.csv --crs EPSG:32650 --k --correction border|correction|edge-correction" \
            "points $S/shops.gpkg --to EPSG:32650 --sde --weight sales|weight|point-weight" \
            "kde $S/shops.gpkg --to EPSG:32650 --cell 500 --weight sales|weight|point-weight" \
            "points $S/shops.gpkg --to EPSG:32650 --nn --window-from $S/counties.shp|window-from|extent-from" \
            "lisa $S/counties.shp --var pop --table $SCRATCH/t.csv|table|out FILE.csv"; do
  IFS='|' read -r run old new <<< "$args"
  # shellcheck disable=SC2086
  err=$("$AGGLO" $run --quiet 2>&1 >/dev/null) && ok || bad "$run: $err"
  printf '%s\n' "$err" | grep -q -- "--$old is deprecated; use --$new" && ok || bad "$run: no deprecation: $err"
done
# --out FILE.csv writes the per-observation table, as --table did
"$AGGLO" lisa "$S/counties.shp" --var pop --out "$SCRATCH/o.csv" --quiet 2>/dev/null && cmp -s "$SCRATCH/o.csv" "$SCRATCH/t.csv" \
  && ok || bad "lisa --out x.csv differs from --table x.csv"
head -1 "$SCRATCH/o.csv" | grep -q '^id,LISA_I' && ok || bad "lisa --out x.csv header: $(head -1 "$SCRATCH/o.csv")"
# --quiet: nothing on stdout, in every command
out=$("$AGGLO" moran "$S/counties.shp" --var pop --quiet 2>/dev/null) && [ -z "$out" ] && ok || bad "moran --quiet printed: $out"
out=$("$AGGLO" info "$S/counties.shp" --quiet --json 2>/dev/null) && [ -z "$out" ] && ok || bad "info --quiet printed: $out"
# JSON: valid, no NaN/Infinity literals, keys without spaces (docs/output.md)
C="$TEST_DATA/columbus/columbus.shp"
MK="$TEST_DATA/reference/dynamics/usjoin.csv"; MW="$TEST_DATA/reference/dynamics/states48_fips.gal"
for args in "info $S/counties.shp" "weights $C --knn 4" "moran $C --var CRIME --permutations 9" \
            "lisa $C --var CRIME" "hotspot $C --var CRIME" "getis $C --var CRIME" "geary $C --var CRIME" \
            "regress $C --y CRIME --x INC,HOVAL --model lag --impacts" "dagum $C --var INC --group CP" \
            "kde $S/shops.gpkg --to EPSG:32650 --cell 1000" "points $S/shops.gpkg --to EPSG:32650 --nn" \
            "index $C --positive INC,HOVAL --negative CRIME --coupling INC,HOVAL|CRIME" \
            "markov $MK --id STATE_FIPS --prefix 19 --spatial --weights $MW" \
            "markov $MK --id STATE_FIPS --prefix 19 --lisa --weights $MW" \
            "distribution $C --var INC --group CP" "geodetector $C --y CRIME --factors CP"; do
  # shellcheck disable=SC2086
  "$AGGLO" $args --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
def bad(c): raise SystemExit("non-JSON constant " + c)
d = json.loads(sys.stdin.read(), parse_constant=bad)
def walk(o):
    for k, v in o.items():
        assert " " not in k, "key with a space: %r" % k
        if isinstance(v, dict): walk(v)
        assert not (isinstance(v, str) and v in ("yes", "no")), "boolean as a string: %r" % k
walk(d)' && ok || bad "agglo $args --json"
done
finish
