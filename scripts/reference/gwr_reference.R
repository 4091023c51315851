# Reference values for agglo's GWR tests (tests/data/reference/gwr/).
#
# Every local regression is fitted independently with base R: lm.wfit (Gaussian) or glm.fit
# (Poisson) with the kernel weights, following mgwr's kernel conventions:
#   adaptive bandwidth k: h_i = (k-th smallest distance from i, counting i itself) * 1.0000001
#   fixed bandwidth h: h_i = h
#   z = d / h_i; gaussian exp(-z^2/2), exponential exp(-z), bisquare (1-z^2)^2 (0 for d >= h),
#   tricube (1-z^3)^3 (0 for d >= h), boxcar 1 (0 for d >= h)
# The hat matrix rows are formed explicitly here (n x n is fine for these small data sets),
# so tr(S), tr(S'S) and the diagnostics are computed independently of agglo's row-by-row
# algebra. AICc as Fotheringham, Brunsdon & Charlton (2002):
#   AICc = 2 n ln(sigma) + n ln(2 pi) + n (n + tr S) / (n - 2 - tr S), sigma = sqrt(RSS / n)
# Poisson (Nakaya et al. 2005): AICc = D + 2 trS + 2 trS (trS + 1) / (n - trS - 1).
#
# Run from the repository root:  Rscript scripts/reference/gwr_reference.R
suppressPackageStartupMessages(library(sf))

out_dir <- "tests/data/reference/gwr"
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

kern <- function(kernel, d, h) {
  z <- d / h
  switch(kernel,
         gaussian = exp(-0.5 * z^2),
         exponential = exp(-z),
         bisquare = ifelse(d < h, (1 - z^2)^2, 0),
         tricube = ifelse(d < h, (1 - z^3)^3, 0),
         boxcar = ifelse(d < h, 1, 0))
}

kernel_weights <- function(D, i, kernel, fixed, bw) {
  d <- D[i, ]
  h <- if (fixed) bw else sort(d)[floor(bw)] * 1.0000001
  kern(kernel, d, h)
}

gwr_gaussian <- function(coords, y, X, kernel, fixed, bw) {
  n <- nrow(X); p <- ncol(X)
  D <- as.matrix(dist(coords))
  S <- matrix(0, n, n)
  beta <- matrix(NA_real_, n, p); cct <- matrix(NA_real_, n, p)
  W <- matrix(0, n, n)
  for (i in 1:n) {
    w <- kernel_weights(D, i, kernel, fixed, bw)
    W[i, ] <- w
    fit <- lm.wfit(X, y, w)
    beta[i, ] <- fit$coefficients
    # C = (X'WX)^-1 X'W ; row i of S = x_i' C
    Ci <- solve(crossprod(X, w * X), t(w * X))
    S[i, ] <- X[i, ] %*% Ci
    cct[i, ] <- rowSums(Ci^2)
  }
  yhat <- rowSums(X * beta)
  e <- y - yhat
  trS <- sum(diag(S)); trSTS <- sum(S^2)
  RSS <- sum(e^2)
  sigma <- sqrt(RSS / n)
  aicc <- 2 * n * log(sigma) + n * log(2 * pi) + n * (n + trS) / (n - 2 - trS)
  llf <- -n / 2 * (log(2 * pi * RSS / n) + 1)
  aic <- -2 * llf + 2 * (trS + 1)
  bic <- -2 * llf + (trS + 1) * log(n)
  hat <- diag(S)
  cv <- sum((e / (1 - hat))^2) / n
  r2 <- 1 - RSS / sum((y - mean(y))^2)
  sigma2 <- RSS / (n - trS)                      # mgwr default
  sigma2_gwr4 <- RSS / (n - 2 * trS + trSTS)     # GWR4
  se <- sqrt(cct * sigma2)
  local_r2 <- sapply(1:n, function(i) {
    w <- W[i, ]; yb <- sum(w * y) / sum(w)
    tss <- sum(w * (y - yb)^2); (tss - sum(w * e^2)) / tss
  })
  cond <- sapply(1:n, function(i) {
    xw <- X * W[i, ]
    xw <- sweep(xw, 2, sqrt(colSums(xw^2)), "/")
    s <- svd(xw)$d
    s[1] / s[length(s)]
  })
  list(obs = data.frame(yhat = yhat, resid = e, influence = hat, local_r2 = local_r2,
                        cond = cond,
                        beta = beta, se = se, se_gwr4 = sqrt(cct * sigma2_gwr4)),
       glob = c(n = n, bw = bw, rss = RSS, tr_s = trS, tr_sts = trSTS, llf = llf, aic = aic,
                aicc = aicc, bic = bic, cv = cv, r2 = r2,
                adj_r2 = 1 - (1 - r2) * (n - 1) / (n - trS - 1)))
}

gwr_aicc <- function(D, y, X, kernel, fixed, bw) {
  n <- nrow(X); hat <- numeric(n); yhat <- numeric(n)
  for (i in 1:n) {
    w <- kernel_weights(D, i, kernel, fixed, bw)
    A <- crossprod(X, w * X)
    b <- solve(A, crossprod(X, w * y))
    yhat[i] <- sum(X[i, ] * b)
    hat[i] <- w[i] * sum(X[i, ] * solve(A, X[i, ]))
  }
  RSS <- sum((y - yhat)^2); trS <- sum(hat)
  2 * n * log(sqrt(RSS / n)) + n * log(2 * pi) + n * (n + trS) / (n - 2 - trS)
}

# mgwr's golden_section on integer bandwidths (delta 0.38197, tol 1e-6).
golden_int <- function(a, c, f) {
  delta <- 0.38197
  b <- a + delta * abs(c - a); d <- c - delta * abs(c - a)
  memo <- list(); diff <- 1e9; it <- 0
  while (abs(diff) > 1e-6 && it < 200) {
    it <- it + 1
    b <- round(b); d <- round(d)
    kb <- as.character(b); kd <- as.character(d)
    if (is.null(memo[[kb]])) memo[[kb]] <- f(b)
    if (is.null(memo[[kd]])) memo[[kd]] <- f(d)
    sb <- memo[[kb]]; sd <- memo[[kd]]
    if (sb <= sd) { opt <- b; c <- d; d <- b; b <- a + delta * abs(c - a) }
    else { opt <- d; a <- b; b <- d; d <- c - delta * abs(c - a) }
    diff <- sb - sd
  }
  opt
}

write_case <- function(name, res, names_x) {
  o <- res$obs
  p <- length(names_x)
  cols <- c("yhat", "resid", "influence", "local_r2", "cond")
  df <- o[, cols]
  for (j in 1:p) {
    df[[paste0("beta_", names_x[j])]] <- o[[paste0("beta.", j)]]
    df[[paste0("se_", names_x[j])]] <- o[[paste0("se.", j)]]
    df[[paste0("se4_", names_x[j])]] <- o[[paste0("se_gwr4.", j)]]
  }
  write.csv(format(df, digits = 17), file.path(out_dir, paste0(name, "_obs.csv")),
            row.names = FALSE, quote = FALSE)
  g <- res$glob
  writeLines(sprintf("%s,%.17g", names(g), g), file.path(out_dir, paste0(name, "_global.csv")))
}

# ---- Georgia (GWR4 sample data set), PctBach ~ PctRural + PctPov + PctBlack ----
g <- st_drop_geometry(st_read("tests/data/georgia/G_utm.shp", quiet = TRUE))
gc <- cbind(g$X, g$Y)
gy <- g$PctBach
gX <- cbind(1, g$PctRural, g$PctPov, g$PctBlack)
gnames <- c("Intercept", "PctRural", "PctPov", "PctBlack")
D <- as.matrix(dist(gc))

# brute-force AICc scan over every integer bandwidth of mgwr's default range [48, 159]
scan_bw <- 48:159
scan <- sapply(scan_bw, function(k) gwr_aicc(D, gy, gX, "bisquare", FALSE, k))
writeLines(sprintf("%d,%.17g", scan_bw, scan), file.path(out_dir, "georgia_bs_nn_scan.csv"))
gold <- golden_int(48, 159, function(k) gwr_aicc(D, gy, gX, "bisquare", FALSE, k))
writeLines(sprintf("golden,%.17g\nscan_min,%d", gold, scan_bw[which.min(scan)]),
           file.path(out_dir, "georgia_bs_nn_selected.csv"))
cat("georgia adaptive bisquare: golden", gold, "scan min", scan_bw[which.min(scan)], "\n")

write_case("georgia_bs_nn_sel", gwr_gaussian(gc, gy, gX, "bisquare", FALSE, gold), gnames)
write_case("georgia_bs_nn_90", gwr_gaussian(gc, gy, gX, "bisquare", FALSE, 90), gnames)
# GWR4's published fixed bandwidths (georgia_BS_F / georgia_GS_F summaries)
write_case("georgia_bs_f", gwr_gaussian(gc, gy, gX, "bisquare", TRUE, 209267.688808), gnames)
write_case("georgia_gs_f", gwr_gaussian(gc, gy, gX, "gaussian", TRUE, 87308.298470), gnames)

# ---- Columbus (spData), CRIME ~ INC + HOVAL: the other kernels ----
cb <- st_drop_geometry(st_read("tests/data/columbus/columbus.shp", quiet = TRUE))
cc <- cbind(cb$X, cb$Y)
cX <- cbind(1, cb$INC, cb$HOVAL)
cnames <- c("Intercept", "INC", "HOVAL")
write_case("columbus_gs_nn", gwr_gaussian(cc, cb$CRIME, cX, "gaussian", FALSE, 20), cnames)
write_case("columbus_ex_f", gwr_gaussian(cc, cb$CRIME, cX, "exponential", TRUE, 3), cnames)
write_case("columbus_tc_f", gwr_gaussian(cc, cb$CRIME, cX, "tricube", TRUE, 10), cnames)
write_case("columbus_bx_nn", gwr_gaussian(cc, cb$CRIME, cX, "boxcar", FALSE, 25), cnames)

# ---- Poisson GWR: Georgia bachelor-degree holders (counts) with log population offset ----
gwr_poisson <- function(coords, y, X, off, kernel, fixed, bw) {
  n <- nrow(X); p <- ncol(X)
  D <- as.matrix(dist(coords))
  beta <- matrix(NA_real_, n, p); hat <- numeric(n); mu_i <- numeric(n)
  for (i in 1:n) {
    w <- kernel_weights(D, i, kernel, fixed, bw)
    fit <- glm.fit(X, y, weights = w, offset = log(off), family = poisson(),
                   control = glm.control(epsilon = 1e-14, maxit = 100))
    b <- fit$coefficients
    beta[i, ] <- b
    mu <- off * exp(drop(X %*% b))
    A <- crossprod(X, (w * mu) * X)
    mu_i[i] <- mu[i]
    hat[i] <- w[i] * mu[i] * sum(X[i, ] * solve(A, X[i, ]))
  }
  trS <- sum(hat)
  dev <- sum(poisson()$dev.resids(y, mu_i, rep(1, n)))
  aic <- dev + 2 * trS
  aicc <- aic + 2 * trS * (trS + 1) / (n - trS - 1)
  list(obs = data.frame(mu = mu_i, influence = hat, beta = beta),
       glob = c(n = n, bw = bw, deviance = dev, tr_s = trS, aic = aic, aicc = aicc,
                bic = dev + trS * log(n)))
}
bach <- round(g$TotPop90 * g$PctBach / 100)
pres <- gwr_poisson(gc, bach, cbind(1, g$PctRural, g$PctPov, g$PctBlack), g$TotPop90,
                    "bisquare", FALSE, 100)
po <- pres$obs
pdf <- data.frame(count = bach, mu = po$mu, influence = po$influence)
for (j in 1:4) pdf[[paste0("beta_", gnames[j])]] <- po[[paste0("beta.", j)]]
write.csv(format(pdf, digits = 17), file.path(out_dir, "georgia_poisson_obs.csv"),
          row.names = FALSE, quote = FALSE)
writeLines(sprintf("%s,%.17g", names(pres$glob), pres$glob),
           file.path(out_dir, "georgia_poisson_global.csv"))
# ---- binomial (logistic) GWR: Georgia counties above the median share of bachelor degrees ----
gwr_binomial <- function(coords, y, X, kernel, fixed, bw) {
  n <- nrow(X); p <- ncol(X)
  D <- as.matrix(dist(coords))
  beta <- matrix(NA_real_, n, p); hat <- numeric(n); mu_i <- numeric(n)
  for (i in 1:n) {
    w <- kernel_weights(D, i, kernel, fixed, bw)
    fit <- suppressWarnings(glm.fit(X, y, weights = w, family = binomial(),
                                    control = glm.control(epsilon = 1e-14, maxit = 100)))
    b <- fit$coefficients
    beta[i, ] <- b
    mu <- 1 / (1 + exp(-drop(X %*% b)))
    A <- crossprod(X, (w * mu * (1 - mu)) * X)
    mu_i[i] <- mu[i]
    hat[i] <- w[i] * mu[i] * (1 - mu[i]) * sum(X[i, ] * solve(A, X[i, ]))
  }
  trS <- sum(hat)
  dev <- sum(binomial()$dev.resids(y, mu_i, rep(1, n)))
  aic <- dev + 2 * trS
  list(obs = data.frame(mu = mu_i, influence = hat, beta = beta),
       glob = c(n = n, bw = bw, deviance = dev, tr_s = trS, aic = aic,
                aicc = aic + 2 * trS * (trS + 1) / (n - trS - 1), bic = dev + trS * log(n)))
}
hi <- as.numeric(g$PctBach > median(g$PctBach))
bres <- gwr_binomial(gc, hi, gX, "bisquare", FALSE, 120)
bo <- bres$obs
bdf <- data.frame(y = hi, mu = bo$mu, influence = bo$influence)
for (j in 1:4) bdf[[paste0("beta_", gnames[j])]] <- bo[[paste0("beta.", j)]]
write.csv(format(bdf, digits = 17), file.path(out_dir, "georgia_binomial_obs.csv"),
          row.names = FALSE, quote = FALSE)
writeLines(sprintf("%s,%.17g", names(bres$glob), bres$glob),
           file.path(out_dir, "georgia_binomial_global.csv"))
cat("done\n")
