"""Reference values from mgwr (pysal/mgwr v2.2.1 + pysal/spglm, run as published) for agglo's
GWR tests: local estimates, standard errors (mgwr's default sigma2 = RSS/(n - trS) and GWR4's
RSS/(n - 2trS + trS'S)), t values, influence, local R2, Cook's D and local condition number
for Gaussian GWR; estimates, standard errors, t values, fitted means, influence, tr(S),
mgwr's tr_STS (= GWR4's variance-based trace(S'WSW^-1)), deviance, AICc for Poisson and
logistic GWR.

Nothing here computes a GWR itself: every value is an attribute of mgwr's GWRResults.

Run from the repository root with Debian's python (numpy, scipy, libpysal) and the three
pure-python packages on PYTHONPATH (never committed here):
  git --git-dir=<mirror of pysal/mgwr> archive v2.2.1 | tar -x -C /tmp/mgwr
  git --git-dir=<mirror of pysal/spglm> archive HEAD | tar -x -C /tmp/spglm   # 1.1.0 + main
  git --git-dir=<mirror of pysal/spreg> archive v1.4.1 | tar -x -C /tmp/spreg
  PYTHONPATH=/tmp/mgwr:/tmp/spglm:/tmp/spreg /usr/bin/python3 \
      scripts/reference/gwr_mgwr_reference.py
Input data: tests/data/georgia (libpysal), tests/data/columbus (spData), and the Tokyo
mortality and Clearwater landslide data sets that ship with mgwr's tests (and libpysal's
examples); the latter two are copied to tests/data/reference/gwr/ as *_input.csv together
with GWR4's published listwise/summary outputs for them.
"""
import os
import shutil
import sys
import types
import warnings

warnings.filterwarnings("ignore")
try:
    import joblib  # noqa: F401
except ImportError:  # mgwr imports joblib for its parallel loop; serial is the same numbers
    jl = types.ModuleType("joblib")
    jl.delayed = lambda f: (lambda *a, **k: (f, a, k))
    jl.Parallel = lambda n_jobs=None: (lambda calls: [f(*a, **k) for f, a, k in calls])
    sys.modules["joblib"] = jl

import numpy as np
import libpysal
from libpysal import io
import mgwr
from mgwr.gwr import GWR
from spglm.family import Gaussian, Poisson, Binomial

OUT = "tests/data/reference/gwr"
os.makedirs(OUT, exist_ok=True)
MGWR_DIR = os.path.dirname(mgwr.__file__)
print("mgwr", getattr(mgwr, "__version__", "?"), "numpy", np.__version__,
      "libpysal", libpysal.__version__)


def g17(v):
    return repr(float(v))


def write(name, cols, glob):
    keys = list(cols)
    n = len(cols[keys[0]])
    with open(os.path.join(OUT, name + "_obs.csv"), "w") as f:
        f.write(",".join(keys) + "\n")
        for i in range(n):
            f.write(",".join(g17(cols[k][i]) for k in keys) + "\n")
    with open(os.path.join(OUT, name + "_global.csv"), "w") as f:
        for k, v in glob.items():
            f.write("%s,%s\n" % (k, g17(v)))


def run(name, coords, y, X, names, bw, kernel, fixed, family, offset=None):
    y = np.asarray(y, float).reshape(-1, 1)
    X = np.asarray(X, float)
    kw = dict(bw=bw, kernel=kernel, fixed=fixed, family=family)
    if offset is not None:
        kw["offset"] = np.asarray(offset, float).reshape(-1, 1)
    # tight IRLS tolerance: mgwr stops when min |change| < tol (default 1e-5)
    fit = dict(tol=1e-14, max_iter=200) if not isinstance(family, Gaussian) else {}
    r1 = GWR(coords, y, X, sigma2_v1=True, **kw).fit(**fit)   # mgwr default
    r2 = GWR(coords, y, X, sigma2_v1=False, **kw).fit(**fit)  # GWR4's sigma2
    cols = {}
    gauss = isinstance(family, Gaussian)
    cols["yhat"] = (r1.predy if gauss else r1.mu).flatten()
    cols["resid"] = r1.resid_response.flatten()
    cols["influence"] = r1.influ.flatten()
    if gauss:
        cols["local_r2"] = r1.localR2.flatten()
        cols["cooks_d"] = r1.cooksD.flatten()
        cols["std_resid"] = r1.std_res.flatten()
        cols["cooks_d4"] = r2.cooksD.flatten()
        cols["std_resid4"] = r2.std_res.flatten()
    cols["cond"] = r1.local_collinearity()[2].flatten()
    for j, nm in enumerate(names):
        cols["beta_" + nm] = r1.params[:, j]
        cols["se_" + nm] = r1.bse[:, j]
        cols["t_" + nm] = r1.tvalues[:, j]
        if gauss:
            cols["se4_" + nm] = r2.bse[:, j]
            cols["t4_" + nm] = r2.tvalues[:, j]
    glob = dict(n=r1.n, bw=bw, tr_s=r1.tr_S, tr_sts=r1.tr_STS, df_model=r1.df_model,
                df_resid=r1.df_resid, aic=r1.aic, aicc=r1.aicc, bic=r1.bic,
                enp=r1.ENP, enp4=r2.ENP, adj_alpha_95=r1.adj_alpha[1],
                adj_alpha4_95=r2.adj_alpha[1], critical_t=r1.critical_tval(),
                critical_t4=r2.critical_tval())
    if gauss:
        glob.update(rss=r1.resid_ss, sigma2=r1.sigma2, sigma2_4=r2.sigma2, llf=r1.llf,
                    r2=r1.R2, adj_r2=r1.adj_R2, cv=np.mean(
                        (r1.resid_response.flatten() / (1 - r1.influ.flatten())) ** 2))
    else:
        glob.update(deviance=r1.global_deviance, null_deviance=r1.null_deviance, pct_dev=r1.D2)
    write(name, cols, glob)
    print(name, "bw", bw, "trS", r1.tr_S, "trSTS", r1.tr_STS, "aicc", r1.aicc)
    return r1


# ---- Gaussian: Georgia PctBach ~ PctRural + PctPov + PctBlack ----
g = io.open("tests/data/georgia/G_utm.dbf")
gc = list(zip(g.by_col("X"), g.by_col("Y")))
gy = np.array(g.by_col("PctBach"), float)
gX = np.column_stack([g.by_col(v) for v in ("PctRural", "PctPov", "PctBlack")])
gn = ["Intercept", "PctRural", "PctPov", "PctBlack"]
run("mgwr_georgia_bs_nn_90", gc, gy, gX, gn, 90, "bisquare", False, Gaussian())
run("mgwr_georgia_bs_nn_93", gc, gy, gX, gn, 93, "bisquare", False, Gaussian())
run("mgwr_georgia_bs_f", gc, gy, gX, gn, 209267.688808, "bisquare", True, Gaussian())
run("mgwr_georgia_gs_f", gc, gy, gX, gn, 87308.298470, "gaussian", True, Gaussian())
# ---- Gaussian: Columbus CRIME ~ INC + HOVAL, the other mgwr kernels ----
cb = io.open("tests/data/columbus/columbus.dbf")
cc = list(zip(cb.by_col("X"), cb.by_col("Y")))
cy = np.array(cb.by_col("CRIME"), float)
cX = np.column_stack([cb.by_col("INC"), cb.by_col("HOVAL")])
cn = ["Intercept", "INC", "HOVAL"]
run("mgwr_columbus_gs_nn", cc, cy, cX, cn, 20, "gaussian", False, Gaussian())
run("mgwr_columbus_ex_f", cc, cy, cX, cn, 3, "exponential", True, Gaussian())

# ---- Poisson: Tokyo mortality (GWR4's sample data, Nakaya et al. 2005), with offset ----
tdir = os.path.join(MGWR_DIR, "tests", "tokyo")
t = io.open(os.path.join(tdir, "Tokyomortality.csv"))
tnames = ["X_CENTROID", "Y_CENTROID", "db2564", "eb2564", "OCC_TEC", "OWNH", "POP65", "UNEMP"]
tv = {k: np.array(t.by_col(k), float) for k in tnames}
with open(os.path.join(OUT, "tokyo_input.csv"), "w") as f:  # '\r' line ends -> '\n'
    f.write(",".join(tnames) + "\n")
    for i in range(len(tv["db2564"])):
        f.write(",".join(g17(tv[k][i]) for k in tnames) + "\n")
for fn in ("tokyo_BS_NN_OFF_listwise.csv", "tokyo_BS_NN_OFF_summary.txt"):
    shutil.copyfile(os.path.join(tdir, fn), os.path.join(OUT, "gwr4_" + fn))
tc = list(zip(tv["X_CENTROID"], tv["Y_CENTROID"]))
tX = np.column_stack([tv[k] for k in ("OCC_TEC", "OWNH", "POP65", "UNEMP")])
tn = ["Intercept", "OCC_TEC", "OWNH", "POP65", "UNEMP"]
run("mgwr_tokyo_pois_bs_nn_100", tc, tv["db2564"], tX, tn, 100, "bisquare", False, Poisson(),
    offset=tv["eb2564"])
# Georgia counts of bachelor-degree holders, log population offset
bach = np.round(np.array(g.by_col("TotPop90"), float) * gy / 100)
run("mgwr_georgia_pois_bs_nn_100", gc, bach, gX, gn, 100, "bisquare", False, Poisson(),
    offset=np.array(g.by_col("TotPop90"), float))

# ---- logistic: Clearwater landslides (GWR4's logistic sample) ----
cw = os.path.join(MGWR_DIR, "tests", "clearwater")
L = io.open(os.path.join(cw, "landslides.csv"))
lnames = ["X", "Y", "Landslid", "Elev", "Slope", "SinAspct", "CosAspct", "AbsSouth", "DistStrm"]
lv = {k: np.array(L.by_col(k), float) for k in lnames}
with open(os.path.join(OUT, "clearwater_input.csv"), "w") as f:
    f.write(",".join(lnames) + "\n")
    for i in range(len(lv["X"])):
        f.write(",".join(g17(lv[k][i]) for k in lnames) + "\n")
for fn in ("clearwater_GS_F_listwise.csv", "clearwater_GS_F_summary.txt",
           "clearwater_BS_NN_listwise.csv", "clearwater_BS_NN_summary.txt"):
    shutil.copyfile(os.path.join(cw, fn), os.path.join(OUT, "gwr4_" + fn))
lc = list(zip(lv["X"], lv["Y"]))
lX = np.column_stack([lv[k] for k in lnames[3:]])
ln = ["Intercept"] + lnames[3:]
run("mgwr_clearwater_bin_gs_f", lc, lv["Landslid"], lX, ln, 8929.060733, "gaussian", True,
    Binomial())
run("mgwr_clearwater_bin_bs_nn_158", lc, lv["Landslid"], lX, ln, 158, "bisquare", False,
    Binomial())
# Georgia: counties above the median share of bachelor degrees
hi = (gy > np.median(gy)).astype(float)
run("mgwr_georgia_bin_bs_nn_120", gc, hi, gX, gn, 120, "bisquare", False, Binomial())
print("done")
