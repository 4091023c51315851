# Shared helpers for CLI tests (sourced). Env: AGGLO, TEST_DATA, SAMPLE, SCRATCH.
set -u
fails=0; passes=0
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
ok()   { passes=$((passes + 1)); }
bad()  { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# expect_fail CODE PATTERN -- command...: exit code CODE, one stderr line matching PATTERN
expect_fail() {
  local code=$1 pattern=$2; shift 3
  local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
  if [ "$rc" != "$code" ]; then bad "$* exited $rc, expected $code ($err)"; return; fi
  if ! printf '%s\n' "$err" | grep -v '^agglo: warning' | grep -q -- "$pattern"; then
    bad "$*: stderr '$err' lacks '$pattern'"; return; fi
  ok
}
# expect_ok -- command...
expect_ok() {
  shift
  local out; if ! out=$("$@" 2>&1); then bad "$* failed: $out"; return; fi
  ok
}
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" = 0 ]
}
