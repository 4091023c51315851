#!/usr/bin/env python3
"""Reference values for agglo's Markov family from PySAL giddy (Rey 2001; Rey & Janikas
2006) on libpysal's usjoin example (48 US states, per-capita income 1929-2009).

Run with Debian's python (numpy, scipy, libpysal) and source checkouts of giddy, mapclassify
and esda on PYTHONPATH (github:pysal/giddy, pysal/mapclassify, pysal/esda; none committed):

    PYTHONPATH=giddy:mapclassify:esda:stub /usr/bin/python3 scripts/reference/markov_giddy.py OUTDIR

giddy imports quantecon (not installable here) and mapclassify/esda import scikit-learn at
module level without using it for what runs here. `stub` is made by this script: an empty
sklearn, and a quantecon.MarkovChain that gives giddy's Markov its communication classes
(scipy's strongly connected components) and stationary distributions (numpy eigenvectors).
So the steady states S/s printed here go through that stub; the tests check the steady
states and first mean passage times against the numbers printed in giddy's documentation
(its doctests, run there with quantecon), not against the stub. Everything else (classes,
cut-offs, transition counts and probabilities, Q, LR, dof, chi-square tests, LISA
quadrants) is giddy/mapclassify/esda code.

Writes OUTDIR/markov_giddy.csv (case,key,value) and copies usjoin.csv (header quoted) and
states48.gal
with the GAL ids turned into STATE_FIPS codes (the file's ids are row numbers 0..47 of
usjoin.csv) so that agglo matches them by id.
"""
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def make_stub(root):
    os.makedirs(os.path.join(root, "sklearn", "cluster"), exist_ok=True)
    os.makedirs(os.path.join(root, "sklearn", "base"), exist_ok=True)
    os.makedirs(os.path.join(root, "sklearn", "neighbors"), exist_ok=True)
    os.makedirs(os.path.join(root, "quantecon"), exist_ok=True)
    open(os.path.join(root, "sklearn", "__init__.py"), "w").close()
    with open(os.path.join(root, "sklearn", "cluster", "__init__.py"), "w") as f:
        f.write("KMeans = None\nDBSCAN = None\n")
    with open(os.path.join(root, "sklearn", "base", "__init__.py"), "w") as f:
        f.write("BaseEstimator = object\nClusterMixin = object\n")
    with open(os.path.join(root, "sklearn", "neighbors", "__init__.py"), "w") as f:
        f.write("NearestNeighbors = None\n")
    with open(os.path.join(root, "quantecon", "__init__.py"), "w") as f:
        f.write('''
import numpy as np
from scipy.sparse.csgraph import connected_components
class MarkovChain:
    def __init__(self, P):
        P = np.asarray(P, dtype=float)
        self.P = P
        k = P.shape[0]
        nc, lab = connected_components(P > 0, directed=True, connection="strong")
        self.num_communication_classes = nc
        self.communication_classes_indices = [np.flatnonzero(lab == c) for c in range(nc)]
        rec = []
        for c in range(nc):
            idx = np.flatnonzero(lab == c)
            out = P[np.ix_(idx, np.setdiff1d(np.arange(k), idx))]
            if out.sum() == 0:
                rec.append(idx)
        self.recurrent_classes_indices = rec
        self.num_recurrent_classes = len(rec)
        self.is_irreducible = nc == 1
        sd = []
        for idx in rec:
            sub = P[np.ix_(idx, idx)]
            v, d = np.linalg.eig(sub.T)
            i = int(np.argmin(abs(v - 1)))
            x = abs(np.real(d[:, i]))
            full = np.zeros(k)
            full[idx] = x / x.sum()
            sd.append(full)
        self.stationary_distributions = np.array(sd)
''')


def main(out):
    stub = os.path.join(out, ".stub")
    make_stub(stub)
    sys.path.insert(0, stub)
    import numpy as np
    import libpysal

    # esda's __init__ imports modules needing scikit-learn; load only esda.moran
    for p in sys.path:
        if os.path.isdir(os.path.join(p, "esda", "moran.py").rsplit("/", 1)[0]) and \
                os.path.exists(os.path.join(p, "esda", "moran.py")):
            m = types.ModuleType("esda")
            m.__path__ = [os.path.join(p, "esda")]
            sys.modules["esda"] = m
            break
    from giddy.markov import Markov, Spatial_Markov, LISA_Markov, chi2
    import mapclassify as mc

    csv = libpysal.examples.get_path("usjoin.csv")
    gal = libpysal.examples.get_path("states48.gal")
    f = libpysal.io.open(csv)
    years = list(range(1929, 2010))
    pci = np.array([f.by_col[str(y)] for y in years]).transpose()
    fips = [str(v) for v in f.by_col["STATE_FIPS"]]
    rows = []

    def put(case, key, v):
        rows.append("%s,%s,%.17g" % (case, key, float(v)))

    def putmat(case, name, M):
        M = np.asarray(M, dtype=float)
        for i in range(M.shape[0]):
            for j in range(M.shape[1]):
                put(case, "%s %d %d" % (name, i, j), M[i, j])

    def putvec(case, name, v):
        for i, x in enumerate(np.asarray(v, dtype=float).ravel()):
            put(case, "%s %d" % (name, i), x)

    rpci = pci / pci.mean(axis=0)
    # classic Markov, pooled quintiles of relative incomes (giddy's doc example)
    rq = mc.Quantiles(rpci.flatten(), k=5).yb.reshape(pci.shape)
    mq = Markov(rq, summary=False)
    putmat("markov", "transitions", mq.transitions)
    putmat("markov", "p", mq.p)
    # classic Markov, quintiles of each year's incomes (fixed=False)
    q5 = np.array([mc.Quantiles(y, k=5).yb for y in pci.T]).transpose()
    m5 = Markov(q5, summary=False)
    putmat("markov_per_period", "transitions", m5.transitions)
    putmat("markov_per_period", "p", m5.p)

    w = libpysal.io.open(gal).read()
    w.transform = "r"
    for k, m in ((5, 5), (5, 4)):
        case = "spatial_k%d_m%d" % (k, m)
        sm = Spatial_Markov(rpci, w, fixed=True, k=k, m=m)
        putvec(case, "cutoffs", sm.cutoffs)
        putvec(case, "lag_cutoffs", sm.lag_cutoffs)
        putmat(case, "transitions", sm.transitions)
        putmat(case, "p", sm.p)
        for c in range(sm.m):
            putmat(case, "T%d" % c, sm.T[c])
            putmat(case, "P%d" % c, sm.P[c])
            x2, pv, df = sm.chi2[c]
            put(case, "chi2 %d" % c, x2)
            put(case, "chi2_df %d" % c, df)
            put(case, "chi2_p %d" % c, pv)
        put(case, "Q", sm.Q)
        put(case, "LR", sm.LR)
        put(case, "dof", sm.dof_hom)
        put(case, "Q_p", sm.Q_p_value)
        put(case, "LR_p", sm.LR_p_value)
        put(case, "x2", sm.x2)
        put(case, "x2_dof", sm.x2_dof)

    w2 = libpysal.io.open(gal).read()
    lm = LISA_Markov(pci, w2)
    putmat("lisa", "transitions", lm.transitions)
    putmat("lisa", "p", lm.p)
    put("lisa", "q 0 0", lm.q[0, 0])
    for i in range(5):
        put("lisa", "q %d 0" % i, lm.q[i, 0])
    put("lisa", "giddy_chi2", lm.chi_2[0])
    # giddy's chi_2 divides by each region's mean over the years and runs Markov on the
    # (years x regions) array, i.e. counts "transitions" between consecutive regions. The
    # test as documented (Rey & Janikas 2006): own value and lag relative to the year's
    # cross-sectional mean, transitions over time; computed with giddy's own Markov and chi2.
    ybar = pci.mean(axis=0)  # per year
    r = pci / ybar
    w2.transform = "r"
    ylag = np.array([libpysal.weights.lag_spatial(w2, pci[:, t]) for t in range(len(years))]).T
    rlag = ylag / ybar
    my = Markov(r < 1.0, summary=False)
    ml = Markov(rlag < 1.0, summary=False)
    A = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0]])
    kp = A.dot(np.kron(my.p, ml.p)).dot(A.T)
    t1 = np.diag(lm.transitions.sum(axis=1)).dot(kp)
    c2 = chi2(lm.transitions, t1)
    putmat("lisa", "expected", t1)
    put("lisa", "chi2", c2[0])
    put("lisa", "chi2_df", c2[2])
    put("lisa", "chi2_p", c2[1])

    with open(os.path.join(out, "markov_giddy.csv"), "w") as fo:
        fo.write("case,key,value\n")
        fo.write("\n".join(rows) + "\n")
    # data: usjoin.csv as shipped, the GAL with STATE_FIPS ids
    # the year names quoted: GDAL's CSV driver takes an unquoted numeric first line for data
    with open(csv) as fi, open(os.path.join(out, "usjoin.csv"), "w") as fo:
        head = fi.readline().strip().split(",")
        fo.write(",".join(h if h.startswith('"') else '"%s"' % h for h in head) + "\n")
        fo.write(fi.read())
    with open(gal) as fi, open(os.path.join(out, "states48_fips.gal"), "w") as fo:
        lines = fi.read().split("\n")
        fo.write("0 48 usjoin STATE_FIPS\n")
        i = 1
        while i + 1 < len(lines) and lines[i].strip():
            a = lines[i].split()
            nb = lines[i + 1].split()
            fo.write("%s %s\n" % (fips[int(a[0])], a[1]))
            fo.write(" ".join(fips[int(j)] for j in nb) + "\n")
            i += 2
    import shutil
    shutil.rmtree(stub)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "tests", "data",
                                                             "reference", "dynamics"))
