#!/usr/bin/env Rscript
# Reference values for agglo panel (tests/data/reference/panel/), from implementations nobody
# here wrote:
#  - plm (Croissant & Millo): within (individual, time, two-way) and random-effects (Swamy-
#    Arora) fits, the Hausman test (phtest);
#  - spatialreg: lagsarlm/errorsarlm on the stacked data with block-diagonal weights I_T x W:
#    * individual effects, direct approach: the time-demeaned data (W commutes with the
#      demeaning) -- exactly the uncorrected fixed-effects ML estimator (rho, b, sigma2 =
#      SSE/(N T), log-likelihood with n = N T);
#    * Lee & Yu (2010) transformation approach: the data transformed with the orthonormal
#      F_T (T x (T-1)) and, with time effects, F_N (N x (N-1)) eigenvectors of the demeaning
#      matrices, and W* = F_N' W F_N: spatialreg's ML on these is the Lee-Yu estimator
#      (log-likelihood with n = N(T-1), (N-1)T or (N-1)(T-1));
#    * impacts() of the individual-effects fits with the block-diagonal listw (exact).
#  - spdep lm.LMtests on the demeaned stacked data (individual effects).
# SEs: spatialreg with method = "LU" takes them from a numerical Hessian (fdHess) of the
# concentrated log-likelihood, which agglo computes analytically: compare at 1e-3.
# Data: plm's Produc (48 US states 1970-86) with queen contiguity of spData's us_states
# (the District of Columbia dropped); the synthetic sample_shapes/counties_panel.csv.
# Run from the repository root: Rscript scripts/reference/panel.R
suppressMessages({library(plm); library(spdep); library(spatialreg); library(sf);
                  library(spData)})
out <- "tests/data/reference/panel"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
rows <- list()
put <- function(case, key, value) rows[[length(rows) + 1]] <<- data.frame(case = case, key = key,
                                                                          value = sprintf("%.15g", value))

## ---- data sets
data(Produc, package = "plm")
us <- us_states[us_states$NAME != "District of Columbia", ]
us$state <- gsub(" ", "_", toupper(us$NAME))
us$state[us$state == "TENNESSEE"] <- "TENNESSE"   # Produc's spelling
stopifnot(setequal(us$state, levels(Produc$state)))
nb_us <- poly2nb(us, row.names = us$state)
attr(nb_us, "region.id") <- us$state
write.nb.gal(nb_us, file.path(out, "us_states.gal"), oldstyle = FALSE, shpfile = "us_states",
             ind = "state")
produc <- data.frame(state = as.character(Produc$state), year = Produc$year,
                     lgsp = log(Produc$gsp), lpcap = log(Produc$pcap), lpc = log(Produc$pc),
                     lemp = log(Produc$emp), unemp = Produc$unemp)
write.csv(produc, file.path(out, "produc.csv"), row.names = FALSE, quote = FALSE)

counties <- read.csv("sample_shapes/counties_panel.csv", colClasses = c(code = "character"))
cnb <- read.gal("sample_shapes/counties_queen.gal", override.id = TRUE)

sets <- list(
  produc = list(d = produc, id = "state", y = "lgsp", x = c("lpcap", "lpc", "lemp", "unemp"),
                nb = nb_us),
  counties = list(d = counties, id = "code", y = "y", x = c("x1", "x2"), nb = cnb))

for (nm in names(sets)) {
  s <- sets[[nm]]
  ids <- attr(s$nb, "region.id")
  d <- s$d
  d$id <- factor(d[[s$id]], levels = ids)
  d <- d[order(d$year, d$id), ]          # period-major, regions in the weights' order
  N <- length(ids); T <- length(unique(d$year))
  stopifnot(nrow(d) == N * T)
  W <- nb2mat(s$nb, style = "W")
  f <- as.formula(paste(s$y, "~", paste(s$x, collapse = " + ")))
  pd <- pdata.frame(d[, c("id", "year", s$y, s$x)], index = c("id", "year"))

  ## plm: within and random effects, Hausman
  for (eff in c("individual", "time", "twoways")) {
    m <- plm(f, data = pd, model = "within", effect = eff)
    cs <- summary(m)$coefficients
    for (v in s$x) {
      put(paste0(nm, "_ols_", eff), v, cs[v, 1])
      put(paste0(nm, "_ols_", eff), paste0(v, "_se"), cs[v, 2])
    }
  }
  fe <- plm(f, data = pd, model = "within", effect = "individual")
  re <- plm(f, data = pd, model = "random", effect = "individual", random.method = "swar")
  cs <- summary(re)$coefficients
  for (v in c("(Intercept)", s$x)) {
    k <- if (v == "(Intercept)") "CONSTANT" else v
    put(paste0(nm, "_ols_random"), k, cs[v, 1])
    put(paste0(nm, "_ols_random"), paste0(k, "_se"), cs[v, 2])
  }
  put(paste0(nm, "_ols_random"), "theta", re$ercomp$theta)
  put(paste0(nm, "_ols_random"), "sigma2_mu", re$ercomp$sigma2[["id"]])
  put(paste0(nm, "_ols_random"), "hausman", phtest(fe, re)$statistic)

  ## demeaning by region (individual effects)
  dm <- function(v) v - ave(v, d$id)
  Y <- dm(d[[s$y]]); X <- sapply(s$x, function(v) dm(d[[v]]))
  lwb <- mat2listw(kronecker(diag(T), W), style = "M")
  dd <- data.frame(y = Y, X)
  fx <- as.formula(paste("y ~", paste(s$x, collapse = " + "), "- 1"))
  lmt <- lm.LMtests(lm(fx, data = dd), lwb, test = c("LMerr", "LMlag", "RLMerr", "RLMlag"))
  for (t in names(lmt)) put(paste0(nm, "_lm_individual"), t, lmt[[t]]$statistic)
  # SDEM: the lagged regressors as columns (errorsarlm's Durbin = TRUE needs a constant)
  WXd <- kronecker(diag(T), W) %*% X; colnames(WXd) <- paste0("W_", s$x)
  ddw <- cbind(dd, as.data.frame(WXd))
  fdx <- as.formula(paste("y ~", paste(c(s$x, colnames(WXd)), collapse = " + "), "- 1"))
  fits <- list(
    sar = lagsarlm(fx, data = dd, listw = lwb, method = "LU"),
    sdm = lagsarlm(fx, data = dd, listw = lwb, method = "LU", Durbin = TRUE),
    sem = errorsarlm(fx, data = dd, listw = lwb, method = "LU"),
    sdem = errorsarlm(fdx, data = ddw, listw = lwb, method = "LU"))
  emit <- function(case, m, lag) {
    put(case, if (lag) "rho" else "lambda", if (lag) m$rho else m$lambda)
    put(case, if (lag) "rho_se" else "lambda_se", if (lag) m$rho.se else m$lambda.se)
    cf <- coef(m); cf <- cf[!names(cf) %in% c("rho", "lambda")]
    se <- sqrt(diag(vcov(m)))
    for (v in names(cf)) {
      k <- sub("^lag\\.", "W_", v)
      put(case, k, cf[[v]])
      if (v %in% names(se)) put(case, paste0(k, "_se"), se[[v]])
    }
    put(case, "sigma2", m$s2)
    put(case, "loglik", as.numeric(logLik(m)))
  }
  for (mn in names(fits))
    emit(paste0(nm, "_", mn, "_individual"), fits[[mn]], mn %in% c("sar", "sdm"))
  for (mn in c("sar", "sdm")) {
    im <- impacts(fits[[mn]], listw = lwb)
    for (j in seq_along(s$x)) {
      put(paste0(nm, "_", mn, "_individual"), paste0("direct_", s$x[j]), im$direct[j])
      put(paste0(nm, "_", mn, "_individual"), paste0("indirect_", s$x[j]), im$indirect[j])
      put(paste0(nm, "_", mn, "_individual"), paste0("total_", s$x[j]), im$total[j])
    }
  }

  ## Lee-Yu transformation approach
  orth <- function(n) {  # orthonormal eigenvectors of I - 11'/n for the eigenvalue 1
    e <- eigen(diag(n) - matrix(1 / n, n, n), symmetric = TRUE)
    e$vectors[, seq_len(n - 1)]
  }
  FT <- orth(T); FN <- orth(N)
  ymat <- function(v) matrix(v, N, T)   # rows regions, columns periods
  # two-way: W* = F_N' W F_N has negative and diagonal entries a listw cannot hold, so only
  # the individual-effects transformation (F_T, W unchanged) is checked here
  for (eff in c("individual")) {
    if (eff == "individual") {
      tr <- function(v) as.vector(ymat(v) %*% FT); Ws <- W; Nn <- N
    } else {
      tr <- function(v) as.vector(t(FN) %*% ymat(v) %*% FT); Ws <- t(FN) %*% W %*% FN; Nn <- N - 1
    }
    WX <- sapply(s$x, function(v) as.vector(W %*% ymat(d[[v]])))
    dt <- data.frame(y = tr(d[[s$y]]), sapply(s$x, function(v) tr(d[[v]])))
    wxt <- as.data.frame(apply(WX, 2, tr)); names(wxt) <- paste0("W_", s$x)
    lwt <- mat2listw(kronecker(diag(T - 1), Ws), style = "M")
    fd <- as.formula(paste("y ~", paste(c(s$x, paste0("W_", s$x)), collapse = " + "), "- 1"))
    dtd <- cbind(dt, wxt)
    emit(paste0(nm, "_sar_", eff, "_leeyu"), lagsarlm(fx, data = dt, listw = lwt, method = "LU"), TRUE)
    emit(paste0(nm, "_sdm_", eff, "_leeyu"), lagsarlm(fd, data = dtd, listw = lwt, method = "LU"), TRUE)
    emit(paste0(nm, "_sem_", eff, "_leeyu"), errorsarlm(fx, data = dt, listw = lwt, method = "LU"), FALSE)
  }
}
res <- do.call(rbind, rows)
write.csv(res, file.path(out, "panel_reference.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(res), "values\n")
