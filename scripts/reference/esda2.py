"""PySAL reference values for the local Geary permutation p and the spatial Gini
(tests/unit/test_esda2.c).

esda (github pysal/esda, tag v2.10.0) and inequality (github pysal/inequality, tag v1.1.2), pure
python, on Debian's python3 with libpysal 4.7, numpy, scipy, pandas. esda's Geary_Local
subclasses scikit-learn's BaseEstimator only for its parameter handling; without scikit-learn a
plain object stands in for it (nothing else of scikit-learn is used). Sources:

    git --git-dir=<esda clone> archive v2.10.0 esda | tar -x -C /tmp/esda_src
    git --git-dir=<inequality clone> archive v1.1.2 inequality | tar -x -C /tmp/ineq_src
    ESDA_SRC=/tmp/esda_src/esda INEQ_SRC=/tmp/ineq_src/inequality \
        /usr/bin/python3 scripts/reference/esda2.py

Run from the repository root after scripts/reference/autocorr.R (neighbour lists
<set>_nb.csv from spdep poly2nb). Writes tests/data/reference/esda2/:

  geary_local_esda.csv  set,var,i,localG,p_sim,nsim: esda Geary_Local (row-standardised
                        queen weights, nsim 9999, seed 20261201, legacy folded p_sim). Its
                        statistic uses the population sd (divisor n), so localG = spdep's
                        localC * n/(n-1).
  gini_spatial.csv      set,var,field,value: inequality Gini_Spatial on the binary queen
                        neighbours (g, wg, wcg, wcg_share, polarization; permutations 9999
                        with numpy seed 12345: e_wcg, s_wcg, z_wcg, p_sim, p_z_sim).
"""
import csv
import os
import sys
import types
import warnings

import numpy as np

warnings.filterwarnings("ignore")
skl = types.ModuleType("sklearn")
skb = types.ModuleType("sklearn.base")
skb.BaseEstimator = object
skl.base = skb
sys.modules.setdefault("sklearn", skl)
sys.modules.setdefault("sklearn.base", skb)
for name, env, dflt in (("esda", "ESDA_SRC", "/tmp/esda_src/esda"),
                        ("inequality", "INEQ_SRC", "/tmp/ineq_src/inequality")):
    pkg = types.ModuleType(name)
    pkg.__path__ = [os.environ.get(env, dflt)]
    sys.modules[name] = pkg
import esda.geary_local  # noqa: E402
import inequality.gini  # noqa: E402
import libpysal  # noqa: E402
from libpysal.weights import W  # noqa: E402

OUT = "tests/data/reference/esda2"
FILES = {"columbus": "tests/data/columbus/columbus.dbf", "nc": "tests/data/nc/nc.dbf"}


def fmt(v):
    return "NA" if not np.isfinite(v) else repr(float(v))


def column(s, name):
    db = libpysal.io.open(FILES[s])
    if name == "SIDR74":
        v = 1000.0 * np.array(db.by_col("SID74"), float) / np.array(db.by_col("BIR74"), float)
    else:
        v = np.array(db.by_col(name), dtype=float)
    db.close()
    return v


def neighbours(s, n):
    nb = {i: [] for i in range(n)}
    with open(os.path.join("tests/data/reference/autocorr", s + "_nb.csv")) as f:
        r = csv.reader(f)
        next(r)
        for i, j in r:
            nb[int(i) - 1].append(int(j) - 1)
    return W(nb, silence_warnings=True)


NSIM = 9999
with open(os.path.join(OUT, "geary_local_esda.csv"), "w", newline="") as f:
    out = csv.writer(f, lineterminator="\n")
    out.writerow(["set", "var", "i", "localG", "p_sim", "nsim"])
    for s, v in (("columbus", "CRIME"), ("nc", "SIDR74")):
        x = column(s, v)
        w = neighbours(s, len(x))
        g = esda.geary_local.Geary_Local(connectivity=w, permutations=NSIM, seed=20261201,
                                         keep_simulations=False).fit(x)
        for i in range(len(x)):
            out.writerow([s, v, i + 1, fmt(g.localG[i]), fmt(g.p_sim[i]), NSIM])

with open(os.path.join(OUT, "gini_spatial.csv"), "w", newline="") as f:
    out = csv.writer(f, lineterminator="\n")
    out.writerow(["set", "var", "field", "value"])
    for s, v in (("columbus", "INC"), ("nc", "BIR74")):
        x = column(s, v)
        w = neighbours(s, len(x))
        w.transform = "B"
        np.random.seed(12345)
        g = inequality.gini.Gini_Spatial(x, w, permutations=NSIM)
        for k in ("g", "wg", "wcg", "wcg_share", "polarization", "e_wcg", "s_wcg", "z_wcg",
                  "p_sim", "p_z_sim", "polarization_p_sim"):
            out.writerow([s, v, k, fmt(getattr(g, k))])
        out.writerow([s, v, "nsim", NSIM])
