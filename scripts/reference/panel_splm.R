#!/usr/bin/env Rscript
# Reference values from splm 1.6-5 (Millo & Piras 2012, JSS 47(1)) for agglo panel's time and
# two-way fixed-effects spatial fits and its spatial random-effects ML fits
# (tests/data/reference/panel/panel_splm.csv).
#
# splm is not packaged by Debian. It is pure R: install its 1.6-5 source (CRAN's GitHub
# mirror, cran/splm, tag 1.6-5) into a private library after
#   apt-get install r-cran-plm r-cran-spatialreg r-cran-spdep r-cran-maxlik r-cran-bdsmatrix \
#                   r-cran-spam r-cran-stringr
#   R CMD INSTALL -l /tmp/rlib splm
# and run from the repository root: R_LIBS=/tmp/rlib Rscript scripts/reference/panel_splm.R
#
# Functions used: spml(model = "within", effect = "time"|"twoways", lag = TRUE,
# spatial.error = "none") -> spfeml/splaglm; spml(..., lag = FALSE, spatial.error = "b") ->
# spfeml/sperrorlm; spml(model = "random", lag = TRUE, spatial.error = "none") -> spreml/
# sarREmod; spml(model = "random", lag = FALSE, spatial.error = "b") -> spreml/semREmod.
#
# Fixed effects: splm applies W to the demeaned variables while agglo (as Elhorst's code)
# demeans W y and W X. For time effects the two coincide only when W's columns also sum to
# one, so the time and two-way fixed-effects cases use a doubly stochastic W: the rook
# neighbours of a 6 x 8 torus (every cell 4 neighbours, row-standardised = symmetric), with
# Produc's 48 states placed on it in alphabetical order (tests/data/reference/panel/
# torus48.gal). These are the direct-approach estimators (agglo --no-lee-yu): splm's LeeYu
# option is the bias-corrected direct estimator, not the transformation approach.
# Random effects use both the torus and the queen contiguity of the states (us_states.gal).
# SEs: splm's fixed-effects SEs come from the information matrix (Hess = FALSE) and its random-
# effects SEs of rho/lambda/phi from a numerical Hessian (nlme::fdHess); agglo uses the
# Hessian of the concentrated likelihood: the SEs are compared at 2% (coefficients of the
# error models and of the RE models, sigma2 (X' Sigma^-1 X)^-1, at 1e-6).
suppressMessages({library(splm); library(spdep)})
stopifnot(packageVersion("splm") == "1.6.5")
out <- "tests/data/reference/panel"
d <- read.csv(file.path(out, "produc.csv"))
ids <- sort(unique(d$state))
tor <- cell2nb(6, 8, type = "rook", torus = TRUE)
attr(tor, "region.id") <- ids
write.nb.gal(tor, file.path(out, "torus48.gal"), oldstyle = FALSE, shpfile = "torus48",
             ind = "state")
queen <- read.gal(file.path(out, "us_states.gal"), override.id = TRUE)
f <- lgsp ~ lpcap + lpc + lemp + unemp
xs <- c("lpcap", "lpc", "lemp", "unemp")
rows <- list()
put <- function(case, key, value)
  rows[[length(rows) + 1]] <<- data.frame(case = case, key = key, value = sprintf("%.15g", value))
fit <- function(nb, ...) {
  dd <- d
  dd$state <- factor(dd$state, levels = attr(nb, "region.id"))
  dd <- dd[order(dd$year, dd$state), ]
  spml(f, data = dd, index = c("state", "year"), listw = nb2listw(nb, style = "W"), ...)
}
ctl <- list(tol.opt = 1e-12)
for (eff in c("time", "twoways")) {
  for (m in c("sar", "sem")) {
    r <- if (m == "sar")
      fit(tor, model = "within", effect = eff, lag = TRUE, spatial.error = "none", control = ctl)
    else
      fit(tor, model = "within", effect = eff, lag = FALSE, spatial.error = "b", control = ctl)
    case <- paste0("torus_", m, "_", eff)
    cf <- coef(r); se <- sqrt(diag(r$vcov)); names(se) <- names(cf)
    put(case, if (m == "sar") "rho" else "lambda", cf[1])
    put(case, if (m == "sar") "rho_se" else "lambda_se", se[1])
    for (v in xs) { put(case, v, cf[v]); put(case, paste0(v, "_se"), se[v]) }
    put(case, "sigma2_e", r$sigma2)
    if (m == "sar") put(case, "log_likelihood", r$logLik)
  }
}
for (w in c("torus", "queen")) {
  nb <- if (w == "torus") tor else queen
  for (m in c("sar", "sem")) {
    r <- if (m == "sar")
      fit(nb, model = "random", lag = TRUE, spatial.error = "none")
    else
      fit(nb, model = "random", lag = FALSE, spatial.error = "b")
    case <- paste0(w, "_", m, "_random")
    sp <- if (m == "sar") "rho" else "lambda"
    if (m == "sar") {   # splm calls the lag coefficient lambda
      put(case, sp, r$arcoef[1]); put(case, "rho_se", sqrt(r$vcov.arcoef[1, 1]))
    } else {            # and the error coefficient rho, next to phi in errcomp
      put(case, sp, r$errcomp["rho"]); put(case, "lambda_se", sqrt(r$vcov.errcomp["rho", "rho"]))
    }
    put(case, "phi", r$errcomp["phi"])
    put(case, "phi_se", sqrt(r$vcov.errcomp["phi", "phi"]))
    put(case, "CONSTANT", r$coefficients["(Intercept)"])
    put(case, "CONSTANT_se", sqrt(r$vcov["(Intercept)", "(Intercept)"]))
    for (v in xs) { put(case, v, r$coefficients[v]); put(case, paste0(v, "_se"), sqrt(r$vcov[v, v])) }
    put(case, "sigma2_e", r$sigma2$idios)
    put(case, "log_likelihood", r$logLik)
  }
}
res <- do.call(rbind, rows)
write.csv(res, file.path(out, "panel_splm.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(res), "values\n")
