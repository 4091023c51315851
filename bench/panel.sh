#!/usr/bin/env bash
# Times agglo panel (two-way FE SDM with impacts and 200 simulated draws) on synthetic panels:
# 2,000 regions x 20 years and 20,000 regions x 10 years, W = 6 nearest neighbours of random
# points (seeded; numpy/scipy make the data). Usage: bench/panel.sh [build/agglo]
set -euo pipefail
AGGLO=${1:-build/agglo}
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for spec in 2000:20 20000:10; do
  N=${spec%:*}; T=${spec#*:}
  $PY - "$N" "$T" "$tmp" <<'PYEOF'
import sys, numpy as np
from scipy.spatial import cKDTree
N, T, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(42)
pts = rng.random((N, 2))
_, nn = cKDTree(pts).query(pts, 7)
nn = nn[:, 1:]
with open(f"{d}/w.gal", "w") as f:
    f.write(f"0 {N} bench id\n")
    for i in range(N):
        f.write(f"{i} 6\n" + " ".join(map(str, nn[i])) + "\n")
mu = rng.normal(size=N)
rows = []
with open(f"{d}/p.csv", "w") as f:
    f.write("id,year,y,x1,x2\n")
    for t in range(T):
        x1 = rng.normal(size=N) + 0.3 * mu; x2 = rng.normal(size=N)
        wx1 = x1[nn].mean(1); wx2 = x2[nn].mean(1)
        b = x1 - 0.5 * x2 + 0.3 * wx1 + mu + 0.1 * t + rng.normal(0, 0.5, N)
        y = b.copy()
        for _ in range(60):
            y = b + 0.4 * y[nn].mean(1)
        for i in range(N):
            f.write(f"{i},{2000 + t},{y[i]:.6f},{x1[i]:.6f},{x2[i]:.6f}\n")
PYEOF
  echo "== N=$N T=$T (two-way FE SDM, impacts, 200 draws)"
  /usr/bin/time -f "wall %e s, max RSS %M KiB" "$AGGLO" panel "$tmp/p.csv" --id id --time year \
    --y y --x x1,x2 --weights "$tmp/w.gal" --impacts --draws 200 \
    --threads 2 --json 2>&1 >"$tmp/out.json" | grep -v warning
  $PY -c "import json; d=json.load(open('$tmp/out.json')); print('rho', d['Spatial']['rho'], 'logdet', d['model']['logdet_method'], 'impacts', d['impacts']['kind'])"
done
