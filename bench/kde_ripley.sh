#!/usr/bin/env bash
# Ripley's K on 100,000 clustered points: agglo (bucket grid, never all pairs) against
# spatstat Kest on the same points and r values, same run. Usage: bench/kde_ripley.sh [BUILD]
set -euo pipefail
BUILD=${1:-build}
AGGLO="$BUILD/agglo"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
Rscript - "$TMP" <<'REOF'
suppressPackageStartupMessages(library(spatstat))
tmp <- commandArgs(TRUE)[1]
set.seed(99)
W <- owin(c(0, 1e5), c(0, 1e5))
X <- rMatClust(kappa = 5e-8, scale = 2000, mu = 200, win = W)
write.csv(data.frame(x = sprintf("%.17g", X$x), y = sprintf("%.17g", X$y)), file.path(tmp, "p.csv"),
          row.names = FALSE, quote = FALSE)
for (corr in c("border", "isotropic")) {
  st <- system.time(K <- Kest(X, correction = corr))
  t <- sprintf("%.2f %.2f", st[["elapsed"]], st[["user.self"]] + st[["sys.self"]])
  v <- K[[if (corr == "border") "border" else "iso"]]
  write.csv(data.frame(r = sprintf("%.17g", K$r), k = sprintf("%.17g", v)), file.path(tmp, paste0("k_", corr, ".csv")),
            row.names = FALSE, quote = FALSE)
  cat(corr, npoints(X), t, "\n", file = file.path(tmp, "rtimes.txt"), append = TRUE)
}
REOF
TIMEFORMAT='%R %U %S'
while read -r corr n rt rc; do
  tm=$( { time "$AGGLO" points "$TMP/p.csv" --crs EPSG:32650 --window 0,0,100000,100000 --k \
          --edge-correction "$corr" --curve "$TMP/a.csv" --quiet ; } 2>&1 )
  at=$(echo "$tm" | awk '{print $1}'); ac=$(echo "$tm" | awk '{print $2 + $3}')
  col=$([ "$corr" = border ] && echo 3 || echo 4)
  diff=$(paste -d, "$TMP/a.csv" "$TMP/k_$corr.csv" | tail -n +2 | awk -F, -v c="$col" '
    { a = $c; b = $10; if (b == "NA" || a == "NA") next; d = a - b; if (d < 0) d = -d;
      if (b != 0 && d / b > m) m = d / b } END { printf "%.3g", m }')
  printf "Kest %-9s %d points: spatstat %.2f s wall / %.2f s CPU, agglo %.2f s wall / %.2f s CPU (whole command, incl. CSV read); ratio %.1fx wall, %.1fx CPU; max rel diff %s\n" \
    "$corr" "$n" "$rt" "$rc" "$at" "$ac" "$(echo "$rt / $at" | bc -l)" "$(echo "$rc / $ac" | bc -l)" "$diff"
done < "$TMP/rtimes.txt"
