"""Jarque-Bera and the multicollinearity condition number of the OLS regressions in
tests/data/reference/regress/, from pysal spreg 1.4.1 (the numbers GeoDa and spreg print;
spdep/lmtest have neither). Run from the repository root, after scripts/reference/regress.R:
    git clone -b v1.4.1 https://github.com/pysal/spreg /tmp/spreg
    PYTHONPATH=/tmp/spreg /usr/bin/python3 scripts/reference/regress_spreg.py
Appends the rows model=ols, field=jb, jb_p, cond to each <case>.csv (once)."""
import csv
import glob
import os

import numpy as np
import spreg
from spreg import diagnostics

out = "tests/data/reference/regress"
for path in sorted(glob.glob(os.path.join(out, "*_data.csv"))):
    case = os.path.basename(path)[: -len("_data.csv")]
    with open(path) as f:
        rows = list(csv.reader(f))
    data = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    y = data[:, :1]
    x = data[:, 1:]
    ols = spreg.OLS(y, x)
    jb = diagnostics.jarque_bera(ols)
    cond = diagnostics.condition_index(ols)
    res = os.path.join(out, case + ".csv")
    with open(res) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith(("ols,jb", "ols,cond"))]
    lines += ["ols,jb,%.17g" % jb["jb"], "ols,jb_p,%.17g" % jb["pvalue"], "ols,cond,%.17g" % cond]
    with open(res, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(case, jb["jb"], jb["pvalue"], cond)
