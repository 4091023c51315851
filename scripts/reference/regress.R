# Reference values for the regression tests (tests/unit/test_regress.c, tests/cli/regress.sh).
# R 4.2 + spdep 1.2-7 + spatialreg 1.2-6 + lmtest + sf (Debian r-cran-spdep r-cran-spatialreg
# r-cran-lmtest r-cran-sf r-cran-spdata). Run from the repository root:
#   Rscript scripts/reference/regress.R
# Writes tests/data/reference/regress/:
#   <case>_data.csv   y and the regressors exactly as R read them (i, y, x1, x2, ...)
#   <case>_nb.csv     neighbour pairs i,j (1-based feature order) of the weights
#   <case>.csv        model,field,value: every number the tests compare
# Jarque-Bera and the condition number (not in spdep/lmtest) come from pysal spreg:
# scripts/reference/regress_spreg.py.
suppressMessages({library(sf); library(spdep); library(spatialreg); library(lmtest)})
out <- "tests/data/reference/regress"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
fmt <- function(v) formatC(v, digits = 17, format = "g")

sets <- list(
  # Anselin (1988)'s original Columbus data (spdep COL.OLD, COL.nb): his published lag model
  # (rho 0.431, log-likelihood -182.39; Anselin 1988 table 12.6, spatialreg ?lagsarlm)
  oldcol = list(file = NULL, y = "CRIME", x = c("INC", "HOVAL"), nb = "colnb", style = "W",
                matrix = TRUE),
  # Anselin's Columbus data with his contiguity file (spdep's COL.nb): the published lag model
  columbus_gal = list(file = "tests/data/columbus/columbus.shp", y = "CRIME", x = c("INC", "HOVAL"),
                      nb = "gal", style = "W", matrix = TRUE),
  columbus_queen = list(file = "tests/data/columbus/columbus.shp", y = "CRIME", x = c("INC", "HOVAL"),
                        nb = "queen", style = "W", matrix = TRUE),
  columbus_knn4 = list(file = "tests/data/columbus/columbus.shp", y = "CRIME", x = c("INC", "HOVAL"),
                       nb = "knn4", style = "W", matrix = FALSE),
  columbus_queen_B = list(file = "tests/data/columbus/columbus.shp", y = "CRIME", x = c("INC", "HOVAL"),
                          nb = "queen", style = "B", matrix = TRUE),
  baltim_knn4 = list(file = "tests/data/baltim/baltim.shp", y = "PRICE",
                     x = c("NROOM", "AGE", "SQFT", "LOTSZ"), nb = "knn4", style = "W", matrix = FALSE),
  nc_queen = list(file = "tests/data/nc/nc.shp", y = "SIDR79", x = c("NWR79", "BIR79K"),
                  nb = "queen", style = "W", matrix = TRUE)
)

for (s in names(sets)) {
  d <- sets[[s]]
  if (is.null(d$file)) {
    data(oldcol, package = "spdep", envir = environment())
    a <- COL.OLD
  } else a <- st_read(d$file, quiet = TRUE)
  if (grepl("^nc", s)) {
    a$SIDR79 <- 1000 * a$SID79 / a$BIR79
    a$NWR79 <- 100 * a$NWBIR79 / a$BIR79
    a$BIR79K <- a$BIR79 / 1000
  }
  nb <- switch(d$nb,
    colnb = COL.nb,
    gal = read.gal(system.file("weights/columbus.gal", package = "spData")),
    queen = poly2nb(a, queen = TRUE),
    knn4 = knn2nb(knearneigh(if (inherits(st_geometry(a), "sfc_POINT")) st_coordinates(a)
                             else st_coordinates(st_centroid(st_geometry(a))), k = 4)))
  lw <- nb2listw(nb, style = d$style)
  W <- as(lw, "CsparseMatrix")
  pairs <- do.call(rbind, lapply(seq_along(nb), function(i) data.frame(i = i, j = nb[[i]])))
  write.csv(pairs, file.path(out, paste0(s, "_nb.csv")), row.names = FALSE, quote = FALSE)
  df <- data.frame(i = seq_len(nrow(a)), y = fmt(a[[d$y]]))
  for (v in d$x) df[[v]] <- fmt(a[[v]])
  write.csv(df, file.path(out, paste0(s, "_data.csv")), row.names = FALSE, quote = FALSE)
  dat <- (if (inherits(a, "sf")) st_drop_geometry(a) else a)[, c(d$y, d$x)]
  rownames(dat) <- NULL
  f <- as.formula(paste(d$y, "~", paste(d$x, collapse = " + ")))
  rows <- list()
  add <- function(model, field, value) {
    value <- as.numeric(value)
    if (length(value) == 1) rows[[length(rows) + 1]] <<- data.frame(model = model, field = field, value = fmt(value))
    else for (j in seq_along(value))
      rows[[length(rows) + 1]] <<- data.frame(model = model, field = paste0(field, "_", j - 1), value = fmt(value[j]))
  }
  n <- nrow(a)
  # ---- OLS
  m <- lm(f, data = dat)
  sm <- summary(m)
  add("ols", "coef", coef(m)); add("ols", "se", sm$coefficients[, 2])
  add("ols", "t", sm$coefficients[, 3]); add("ols", "p", sm$coefficients[, 4])
  add("ols", "r2", sm$r.squared); add("ols", "adj_r2", sm$adj.r.squared)
  add("ols", "f", sm$fstatistic[1])
  add("ols", "f_p", pf(sm$fstatistic[1], sm$fstatistic[2], sm$fstatistic[3], lower.tail = FALSE))
  add("ols", "loglik", logLik(m)); add("ols", "aic", AIC(m)); add("ols", "sc", BIC(m))
  add("ols", "sigma2", sm$sigma^2)
  bp <- bptest(m, studentize = FALSE); kb <- bptest(m)
  add("ols", "bp", bp$statistic); add("ols", "bp_p", bp$p.value)
  add("ols", "kb", kb$statistic); add("ols", "kb_p", kb$p.value)
  # White: Koenker's studentised BP on the regressors, their squares and cross products
  X <- model.matrix(m)[, -1, drop = FALSE]
  Z <- X
  for (p in seq_len(ncol(X))) for (q in p:ncol(X)) Z <- cbind(Z, X[, p] * X[, q])
  wt <- bptest(m, ~ Z)
  add("ols", "white", wt$statistic); add("ols", "white_df", wt$parameter); add("ols", "white_p", wt$p.value)
  mt <- lm.morantest(m, lw)
  add("ols", "moran_i", mt$estimate[1]); add("ols", "moran_e", mt$estimate[2])
  add("ols", "moran_var", mt$estimate[3]); add("ols", "moran_z", mt$statistic)
  add("ols", "moran_p", mt$p.value)
  lmt <- lm.LMtests(m, lw, test = "all")
  for (t in c("LMerr", "LMlag", "RLMerr", "RLMlag", "SARMA")) {
    key <- c(LMerr = "lm_err", LMlag = "lm_lag", RLMerr = "rlm_err", RLMlag = "rlm_lag", SARMA = "sarma")[t]
    add("ols", key, lmt[[t]]$statistic); add("ols", paste0(key, "_p"), lmt[[t]]$p.value)
  }
  # ---- ML models
  ml <- function(tag, fit, par) {
    sfit <- summary(fit)
    add(tag, par, fit[[if (par == "rho") "rho" else "lambda"]])
    add(tag, paste0(par, "_se"), fit[[if (par == "rho") "rho.se" else "lambda.se"]])
    add(tag, "coef", coef(fit)[names(coef(fit)) != par])
    add(tag, "se", fit$rest.se)
    add(tag, "loglik", fit$LL); add(tag, "aic", AIC(fit)); add(tag, "s2", fit$s2)
    lr <- suppressMessages(LR1.Sarlm(fit))
    add(tag, "lr", lr$statistic); add(tag, "lr_p", lr$p.value)
    add(tag, "loglik_ols", fit$logLik_lm.model)
    w <- Wald1.Sarlm(fit)
    add(tag, "wald", w$statistic); add(tag, "wald_p", w$p.value)
    if (!is.null(fit$LMtest)) {
      add(tag, "lm_resid", fit$LMtest); add(tag, "lm_resid_p", pchisq(fit$LMtest, 1, lower.tail = FALSE))
    }
    add(tag, "fitted", fitted(fit)); add(tag, "resid", residuals(fit))
  }
  imp <- function(tag, fit) {
    ie <- impacts(fit, listw = lw)
    add(tag, "direct", ie$direct); add(tag, "indirect", ie$indirect); add(tag, "total", ie$total)
    if (d$style != "W") {
      # spatialreg 1.2-6's exact impacts take total = b / (1 - rho) whatever W, which holds
      # only for row-standardised W; the definition (LeSage & Pace 2009 eq. 2.46) is
      # 1' (I - rho W)^-1 (b I + t W) 1 / n, computed here with a dense solve
      Wd <- listw2mat(lw); A <- solve(diag(n) - fit$rho * Wd)
      b <- coef(fit)[-1]; xn <- d$x
      tot <- sapply(xn, function(v) {
        S <- A * b[v]
        if (!is.na(b[paste0("lag.", v)])) S <- S + (A %*% Wd) * b[paste0("lag.", v)]
        sum(S) / n })
      add(tag, "total_def", tot)
    }
    if (d$style != "W") return()  # spatialreg's trace-based impacts need row-standardised W
    tr <- trW(W, type = "mult", m = 30)
    it <- impacts(fit, tr = tr)
    add(tag, "tr_direct", it$direct); add(tag, "tr_indirect", it$indirect); add(tag, "tr_total", it$total)
    set.seed(1)
    is <- summary(impacts(fit, tr = tr, R = 2000), zstats = TRUE, short = TRUE)
    add(tag, "sim_se_direct", is$semat[, 1]); add(tag, "sim_se_indirect", is$semat[, 2])
    add(tag, "sim_se_total", is$semat[, 3])
  }
  methods <- c("eigen", if (d$matrix) "Matrix" else "LU")
  for (meth in methods) {
    sfx <- if (meth == "eigen") "" else paste0("_", tolower(meth))
    # small_asy = FALSE: the numerical Hessian spatialreg uses above n = 1500 (below it would
    # take the eigen asymptotic SEs); optimHess = TRUE: stats::optimHess rather than
    # nlme::fdHess, whose fixed relative steps fail on badly scaled regressors (Baltimore:
    # NaN; 11% off for rho's SE)
    # tol.opt: rho/lambda to 1e-12 (the default sqrt(eps) leaves 1e-8, which near-zero
    # coefficients turn into 1e-6 relative differences)
    ctl <- if (meth == "eigen") list(tol.opt = 1e-12) else list(small_asy = FALSE, tol.opt = 1e-12,
                                                          optimHess = TRUE)
    lag <- lagsarlm(f, data = dat, listw = lw, method = meth, quiet = TRUE, control = ctl)
    ml(paste0("lag", sfx), lag, "rho")
    err <- errorsarlm(f, data = dat, listw = lw, method = meth, quiet = TRUE, control = ctl)
    ml(paste0("error", sfx), err, "lambda")
    if (meth == "eigen") imp("lag", lag)
  }
  dur <- lagsarlm(f, data = dat, listw = lw, method = "eigen", Durbin = TRUE, quiet = TRUE,
                  control = list(tol.opt = 1e-12))
  ml("durbin", dur, "rho"); imp("durbin", dur)
  sdem <- errorsarlm(f, data = dat, listw = lw, method = "eigen", Durbin = TRUE, quiet = TRUE,
                     control = list(tol.opt = 1e-12))
  ml("sdem", sdem, "lambda")
  ie <- impacts(sdem)
  add("sdem", "direct", ie$impacts$direct); add("sdem", "indirect", ie$impacts$indirect)
  add("sdem", "total", ie$impacts$total)
  slx <- lmSLX(f, data = dat, listw = lw)
  ss <- summary(slx)
  add("slx", "coef", coef(slx)); add("slx", "se", ss$coefficients[, 2])
  add("slx", "loglik", logLik(slx))
  ie <- impacts(slx)
  add("slx", "direct", ie$impacts$direct); add("slx", "indirect", ie$impacts$indirect)
  add("slx", "total", ie$impacts$total)
  sac <- sacsarlm(f, data = dat, listw = lw, method = "eigen", quiet = TRUE,
                  control = list(pars = NULL))
  add("sac", "rho", sac$rho); add("sac", "lambda", sac$lambda)
  add("sac", "rho_se", sac$rho.se); add("sac", "lambda_se", sac$lambda.se)
  add("sac", "coef", coef(sac)[-(1:2)]); add("sac", "se", sac$rest.se)
  add("sac", "loglik", sac$LL); add("sac", "s2", sac$s2)
  ie <- impacts(sac, listw = lw)
  add("sac", "direct", ie$direct); add("sac", "indirect", ie$indirect); add("sac", "total", ie$total)
  write.csv(do.call(rbind, rows), file.path(out, paste0(s, ".csv")), row.names = FALSE, quote = FALSE)
}
