"""Reference values from PySAL esda for the autocorrelation tests (tests/unit/test_autocorr.c).

esda (github pysal/esda, tag v2.10.0, pure python; numba optional) on Debian's python3 with
libpysal 4.7, numpy 1.24, scipy 1.10. esda's package __init__ imports scikit-learn (for
ADBSCAN), which the tests do not need, so its modules are loaded from the source tree directly:

    git --git-dir=<esda clone> archive v2.10.0 esda | tar -x -C /tmp/esda_src
    ESDA_SRC=/tmp/esda_src/esda /usr/bin/python3 scripts/reference/autocorr_esda.py

Run from the repository root after scripts/reference/autocorr.R (it reads the neighbour lists
<set>_nb.csv that spdep's poly2nb / knn2nb wrote). Writes tests/data/reference/autocorr/:

  bivariate_esda.csv  set,var,yvar,I: esda Moran_BV(x, y, w, transformation="r") on the
                      row-standardised neighbour lists (y = the last variable of the set).
  localG_esda.csv     set,var,style,stat,i,G,mean,sd,p_directed,p_ties,tie_frac,nsim:
                      esda G_Local (star False = Gi, True = Gi* with the diagonal set to 1
                      before the transform), conditional permutation with nsim draws
                      (keep_simulations): G = esda's Gs; mean, sd = EG_sim, seG_sim;
                      p_directed = esda's legacy folded pseudo p (alternative "directed",
                      the same rule as GeoDa and spdep's "Pr(folded) Sim": ties count only
                      in the upper tail); p_ties = min of esda's calculate_significance
                      "greater" (#sim >= G) and "lesser" (#sim <= G) on the same draws, i.e.
                      (min(#>=, #<=) + 1) / (nsim + 1), the rule agglo uses; tie_frac = the
                      share of draws equal to G.
"""
import csv
import os
import sys
import types
import warnings

import numpy as np

warnings.filterwarnings("ignore")
src = os.environ.get("ESDA_SRC", "/tmp/esda_src/esda")
pkg = types.ModuleType("esda")
pkg.__path__ = [src]
sys.modules["esda"] = pkg
import esda.getisord  # noqa: E402
import esda.moran  # noqa: E402
import esda.significance  # noqa: E402
import libpysal  # noqa: E402
from libpysal.weights import W, fill_diagonal  # noqa: E402

OUT = "tests/data/reference/autocorr"
FILES = {
    "columbus": "tests/data/columbus/columbus.dbf",
    "nc": "tests/data/nc/nc.dbf",
    "ny8": "tests/data/ny8/NY8_utm18.dbf",
    "baltim": "tests/data/baltim/baltim.dbf",
}
VARS = {
    "columbus": ["CRIME", "INC", "HOVAL"],
    "nc": ["BIR74", "SIDR74"],
    "ny8": ["PCTOWNHOME", "Cases"],
    "baltim": ["PRICE", "SQFT"],
}


def fmt(v):
    return "NA" if not np.isfinite(v) else repr(float(v))


def column(s, name):
    db = libpysal.io.open(FILES[s])
    if name == "SIDR74":
        sid = np.array(db.by_col("SID74"), dtype=float)
        bir = np.array(db.by_col("BIR74"), dtype=float)
        db.close()
        return 1000.0 * sid / bir
    v = np.array(db.by_col(name), dtype=float)
    db.close()
    return v


def neighbours(s):
    n = len(column(s, VARS[s][0]))
    nb = {i: [] for i in range(n)}
    with open(os.path.join(OUT, s + "_nb.csv")) as f:
        r = csv.reader(f)
        next(r)
        for i, j in r:
            nb[int(i) - 1].append(int(j) - 1)
    return W(nb, silence_warnings=True)


with open(os.path.join(OUT, "bivariate_esda.csv"), "w", newline="") as f:
    out = csv.writer(f, lineterminator="\n")
    out.writerow(["set", "var", "yvar", "I"])
    for s, vs in VARS.items():
        w = neighbours(s)
        y = column(s, vs[-1])
        for v in vs:
            m = esda.moran.Moran_BV(column(s, v), y, w, transformation="r", permutations=0)
            out.writerow([s, v, vs[-1], fmt(m.I)])

NSIM = 99999
rows = []
for s, v, style in [("columbus", "CRIME", "W"), ("columbus", "HOVAL", "B"),
                    ("nc", "SIDR74", "W"), ("nc", "BIR74", "W")]:
    x = column(s, v)
    for stat in ("Gi", "GiStar"):
        w = neighbours(s)
        if stat == "GiStar":
            w = fill_diagonal(w, 1.0)
        g = esda.getisord.G_Local(x, w, transform="R" if style == "W" else "B",
                                  permutations=NSIM, star=None if stat == "GiStar" else False,
                                  keep_simulations=True, n_jobs=1, seed=20240604,
                                  alternative="directed")
        sims = g.rGs
        pg = esda.significance.calculate_significance(g.Gs, sims, alternative="greater")
        pl = esda.significance.calculate_significance(g.Gs, sims, alternative="lesser")
        ties = (sims == g.Gs[:, None]).mean(axis=1)
        for i in range(len(x)):
            rows.append([s, v, style, stat, i + 1, fmt(g.Gs[i]), fmt(g.EG_sim[i]),
                         fmt(g.seG_sim[i]), fmt(g.p_sim[i]), fmt(min(pg[i], pl[i])),
                         fmt(ties[i]), NSIM])
with open(os.path.join(OUT, "localG_esda.csv"), "w", newline="") as f:
    out = csv.writer(f, lineterminator="\n")
    out.writerow(["set", "var", "style", "stat", "i", "G", "mean", "sd", "p_directed", "p_ties",
                  "tie_frac", "nsim"])
    out.writerows(rows)
