#!/usr/bin/python3
"""Kernel weight references for agglo (tests/unit/test_weights.c, test_kernel_pysal).

Run from the repository root with the system python that has libpysal:
    /usr/bin/python3 scripts/reference/weights.py
Uses the X, Y columns of spData's columbus.dbf as coordinates (the same numbers agglo's test
reads) and writes tests/data/reference/weights/pysal_columbus_kernel_*.csv with rows
"i,j,w" (1-based, diagonal included, as libpysal.weights.Kernel returns them).
"""
import csv
import os

import libpysal
import numpy as np
from libpysal.weights import Kernel

OUT = "tests/data/reference/weights"
db = libpysal.io.open("tests/data/columbus/columbus.dbf")
xy = np.column_stack([db.by_col("X"), db.by_col("Y")]).astype(float)

cases = [
    ("triangular_fixed_k2", dict(function="triangular", fixed=True, k=2)),
    ("gaussian_adaptive_k6", dict(function="gaussian", fixed=False, k=6)),
    ("quartic_adaptive_k10", dict(function="quartic", fixed=False, k=10)),
    ("uniform_bw6", dict(function="uniform", bandwidth=6.0)),
    ("quadratic_bw8", dict(function="quadratic", bandwidth=8.0)),
]
for name, kw in cases:
    w = Kernel(xy, **kw)
    rows = []
    for i in range(w.n):
        for j, v in zip(w.neighbors[i], w.weights[i]):
            rows.append((i + 1, int(j) + 1, "%.17g" % v))
    rows.sort()
    with open(os.path.join(OUT, "pysal_columbus_kernel_%s.csv" % name), "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["i", "j", "w"])
        wr.writerows(rows)
with open(os.path.join(OUT, "pysal_versions.txt"), "w") as f:
    f.write("libpysal %s\nnumpy %s\n" % (libpysal.__version__, np.__version__))

# Queen and rook contiguity (libpysal.weights.Queen / Rook from the shapefiles), rows "i,j"
# 1-based in feature order.
from libpysal.weights import Queen, Rook  # noqa: E402

for name, shp in [("columbus", "tests/data/columbus/columbus.shp"), ("nc", "tests/data/nc/nc.shp"),
                  ("ny8", "tests/data/ny8/NY8_utm18.shp"), ("georgia", "tests/data/georgia/G_utm.shp")]:
    for kind, cls in [("queen", Queen), ("rook", Rook)]:
        w = cls.from_shapefile(shp)
        rows = sorted((i + 1, j + 1) for i in range(w.n) for j in w.neighbors[i])
        with open(os.path.join(OUT, "pysal_%s_%s.csv" % (name, kind)), "w", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(["i", "j"])
            wr.writerows(rows)
