# Reference values for agglo's multiscale GWR tests (tests/data/reference/mgwr/).
#
# An independent base-R implementation of mgwr's (Oshan et al. 2019) MGWR back-fitting
# (Sel_BW(multi=True).search -> search.multi_bw; MGWR.fit -> _chunk_compute_R):
#   * kernels as mgwr: adaptive bandwidth k -> h_i = (k-th smallest distance from i, counting i
#     itself) * 1.0000001; bisquare (1 - (d/h)^2)^2 for d < h, gaussian exp(-(d/h)^2 / 2);
#   * every local regression is fitted with lm.wfit and the kernel weights;
#   * golden section as mgwr's golden_section (delta 0.38197, tol 1e-6, at most 200 iterations,
#     integer bandwidths when adaptive, cached evaluations, optimum rounded to 2 decimals) on
#     AICc = -2 logL + 2 n (trS + 1) / (n - trS - 2);
#   * ranges: initial GWR [40 + 2p, n] (adaptive); per covariate [42, n] (adaptive) or
#     [min distance / 2, 2 max distance] (fixed), unless given;
#   * back-fitting: partial response XB_j + e, bandwidth by golden section on the univariate
#     GWR (no intercept), e updated after each covariate; SOC = sqrt(mean-square change of XB
#     / sum of squared row sums of the new XB) < 1e-5; bandwidths no longer searched after
#     they stayed the same for 5 iterations;
#   * inference: R_j (n x n) formed explicitly by replaying the back-fitting history from the
#     initial GWR hat matrix; ENP_j = tr(R_j); se = sqrt(sigma2 * rowSums((R_j / x_j)^2)),
#     sigma2 = RSS / (n - sum ENP_j).
#
# Run from the repository root:  Rscript scripts/reference/mgwr_reference.R
suppressPackageStartupMessages(library(sf))

out_dir <- "tests/data/reference/mgwr"
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

kern <- function(kernel, d, h) {
  z <- d / h
  switch(kernel,
         gaussian = exp(-0.5 * z^2),
         bisquare = ifelse(d < h, (1 - z^2)^2, 0))
}

weights_at <- function(D, i, kernel, fixed, bw) {
  d <- D[i, ]
  h <- if (fixed) bw else sort(d)[floor(bw)] * 1.0000001
  kern(kernel, d, h)
}

aicc_of <- function(y, yhat, trs) {
  n <- length(y)
  rss <- sum((y - yhat)^2)
  llf <- -0.5 * n * (log(2 * pi * rss / n) + 1)
  -2 * llf + 2 * n * (trs + 1) / (n - trs - 2)
}

# GWR with all columns of X: coefficients, hat diagonal, and optionally the hat rows.
gwr_fit <- function(D, y, X, kernel, fixed, bw, rows = FALSE) {
  n <- nrow(X); p <- ncol(X)
  B <- matrix(0, n, p); hat <- numeric(n)
  P <- if (rows) array(0, c(n, n, p)) else NULL  # P[i, , j]: row j of (X'W_iX)^-1 X'W_i
  for (i in 1:n) {
    w <- weights_at(D, i, kernel, fixed, bw)
    f <- lm.wfit(X, y, w)
    B[i, ] <- f$coefficients
    Ai <- solve(crossprod(X, w * X))
    hat[i] <- sum(X[i, ] * (Ai %*% X[i, ])) * w[i]
    if (rows) P[i, , ] <- t(Ai %*% t(w * X))
  }
  list(beta = B, hat = hat, yhat = rowSums(X * B), P = P)
}

# GWR of z on the single column x (no intercept).
uni_fit <- function(D, z, x, kernel, fixed, bw) {
  n <- length(z); b <- numeric(n); hat <- numeric(n)
  X1 <- matrix(x, ncol = 1)
  for (i in 1:n) {
    w <- weights_at(D, i, kernel, fixed, bw)
    b[i] <- lm.wfit(X1, z, w)$coefficients[1]
    hat[i] <- x[i]^2 * w[i] / sum(w * x^2)
  }
  list(beta = b, hat = hat, yhat = x * b)
}

golden <- function(a, c, f, integer, tol = 1e-6, max_iter = 200) {
  delta <- 0.38197
  b <- a + delta * abs(c - a); d <- c - delta * abs(c - a)
  cache <- list(); diff <- 1e9; iters <- 0
  ev <- function(v) {
    key <- format(v, digits = 17)
    if (is.null(cache[[key]])) cache[[key]] <<- f(v)
    cache[[key]]
  }
  while (abs(diff) > tol && iters < max_iter) {
    iters <- iters + 1
    if (integer) { b <- round(b); d <- round(d) }
    sb <- ev(b); sd <- ev(d)
    if (sb <= sd) {
      opt <- b; c <- d; d <- b; b <- a + delta * abs(c - a)
    } else {
      opt <- d; a <- b; b <- d; d <- c - delta * abs(c - a)
    }
    diff <- sb - sd
  }
  round(opt, 2)
}

# great-circle distances (km, R = 6371) between lon/lat degrees
gcdist <- function(ll) {
  r <- pi / 180
  lon <- ll[, 1] * r; lat <- ll[, 2] * r
  outer(seq_along(lon), seq_along(lon), function(i, j) {
    a <- sin((lat[j] - lat[i]) / 2)^2 + cos(lat[i]) * cos(lat[j]) * sin((lon[j] - lon[i]) / 2)^2
    6371 * 2 * asin(sqrt(pmin(a, 1)))
  })
}

mgwr_ref <- function(coords, y, X, names, kernel = "bisquare", fixed = FALSE,
                     bw_min = NULL, bw_max = NULL, tol = 1e-5, max_iter = 200, same = 5,
                     great_circle = FALSE) {
  n <- nrow(X); p <- ncol(X)
  D <- if (great_circle) gcdist(coords) else as.matrix(dist(coords))
  # initial GWR
  a0 <- if (fixed) min(D[upper.tri(D)]) / 2 else 40 + 2 * p
  c0 <- if (fixed) 2 * max(D) else n
  bw0 <- golden(a0, c0, function(bw) {
    f <- gwr_fit(D, y, X, kernel, fixed, bw); aicc_of(y, f$yhat, sum(f$hat))
  }, !fixed)
  g0 <- gwr_fit(D, y, X, kernel, fixed, bw0, rows = TRUE)
  lo <- rep(if (fixed) min(D[upper.tri(D)]) / 2 else 42, p)
  hi <- rep(if (fixed) 2 * max(D) else n, p)
  if (!is.null(bw_min)) lo <- rep_len(bw_min, p)
  if (!is.null(bw_max)) hi <- rep_len(bw_max, p)
  XB <- X * g0$beta
  err <- y - rowSums(XB)
  B <- g0$beta
  bws <- rep(NA_real_, p); hist <- NULL; socs <- NULL; stable <- 0
  for (it in 1:max_iter) {
    newXB <- XB
    for (j in 1:p) {
      z <- XB[, j] + err
      if (stable < same) {
        bws[j] <- golden(lo[j], hi[j], function(bw) {
          f <- uni_fit(D, z, X[, j], kernel, fixed, bw); aicc_of(z, f$yhat, sum(f$hat))
        }, !fixed)
      }
      f <- uni_fit(D, z, X[, j], kernel, fixed, bws[j])
      B[, j] <- f$beta
      newXB[, j] <- f$yhat
      err <- z - f$yhat
    }
    if (it > 1 && all(hist[nrow(hist), ] == bws)) stable <- stable + 1 else stable <- 0
    soc <- sqrt((sum((newXB - XB)^2) / n) / sum(rowSums(newXB)^2))
    XB <- newXB
    hist <- rbind(hist, bws); socs <- c(socs, soc)
    if (soc < tol) break
  }
  # inference: R_j replayed over the history
  R <- array(0, c(n, n, p))
  for (j in 1:p) R[, , j] <- X[, j] * g0$P[, , j]
  E <- diag(n) - apply(R, c(1, 2), sum)
  for (it in seq_len(nrow(hist))) {
    for (j in 1:p) {
      old <- R[, , j] + E
      A <- matrix(0, n, n)
      for (i in 1:n) {
        w <- weights_at(D, i, kernel, fixed, hist[it, j])
        A[i, ] <- X[i, j] * w * X[, j] / sum(w * X[, j]^2)
      }
      R[, , j] <- A %*% old
      E <- old - R[, , j]
    }
  }
  enp <- sapply(1:p, function(j) sum(diag(R[, , j])))
  yhat <- rowSums(XB)
  rss <- sum((y - yhat)^2)
  trs <- sum(enp)
  llf <- -0.5 * n * (log(2 * pi * rss / n) + 1)
  sigma2 <- rss / (n - trs)
  se <- sapply(1:p, function(j) sqrt(sigma2 * rowSums((R[, , j] / X[, j])^2)))
  r2 <- 1 - rss / sum((y - mean(y))^2)
  list(names = names, bw0 = bw0, bws = bws, hist = hist, socs = socs, beta = B, se = se,
       enp = enp, rss = rss, trs = trs, llf = llf, sigma2 = sigma2,
       aic = -2 * llf + 2 * (trs + 1), aicc = -2 * llf + 2 * n * (trs + 1) / (n - trs - 2),
       bic = -2 * llf + (trs + 1) * log(n), r2 = r2,
       adj_r2 = 1 - (1 - r2) * (n - 1) / (n - trs - 1),
       crit_t = qt(1 - (0.05 / enp) / 2, n - 1))
}

write_case <- function(name, r) {
  p <- length(r$names)
  cv <- function(v) trimws(formatC(v, digits = 17, format = "g"))
  # per covariate: bandwidth, ENP_j, critical t (95%)
  cov <- data.frame(name = r$names, bw = cv(r$bws), enp = cv(r$enp), crit_t = cv(r$crit_t))
  write.csv(cov, file.path(out_dir, paste0(name, "_cov.csv")), row.names = FALSE, quote = FALSE)
  obs <- data.frame(row = seq_len(nrow(r$beta)))
  for (j in 1:p) obs[[paste0("b_", r$names[j])]] <- cv(r$beta[, j])
  for (j in 1:p) obs[[paste0("se_", r$names[j])]] <- cv(r$se[, j])
  write.csv(obs, file.path(out_dir, paste0(name, "_obs.csv")), row.names = FALSE, quote = FALSE)
  glob <- data.frame(key = c("bw_init", "iterations", "rss", "tr_s", "llf", "sigma2", "aic",
                             "aicc", "bic", "r2", "adj_r2"),
                     value = cv(c(r$bw0, nrow(r$hist), r$rss, r$trs, r$llf, r$sigma2, r$aic,
                                  r$aicc, r$bic, r$r2, r$adj_r2)))
  write.csv(glob, file.path(out_dir, paste0(name, "_global.csv")), row.names = FALSE,
            quote = FALSE)
  h <- data.frame(iteration = seq_len(nrow(r$hist)), soc = cv(r$socs))
  for (j in 1:p) h[[paste0("bw_", r$names[j])]] <- r$hist[, j]
  write.csv(h, file.path(out_dir, paste0(name, "_hist.csv")), row.names = FALSE, quote = FALSE)
}

zs <- function(v) (v - mean(v)) / sqrt(mean((v - mean(v))^2))  # population sd, as numpy

# ---- (a) Georgia (libpysal GData_utm / G_utm.shp): mgwr's documented example ----
# PctBach ~ PctFB + PctBlack + PctRural, all standardised, coordinates X, Y (UTM), adaptive
# bisquare; mgwr's docstring calls selector.search(multi_bw_min=[2]).
g <- read.csv("tests/data/georgia/GData_utm.csv")
gc <- cbind(g$X, g$Y)
gX <- cbind(1, zs(g$PctFB), zs(g$PctBlack), zs(g$PctRural))
gn <- c("Intercept", "PctFB", "PctBlack", "PctRural")
write_case("georgia_min2", mgwr_ref(gc, zs(g$PctBach), gX, gn, bw_min = 2))
# default per-covariate range [42, n]
write_case("georgia", mgwr_ref(gc, zs(g$PctBach), gX, gn))
# great-circle distances on the county centroids' longitude / latitude
write_case("georgia_gc", mgwr_ref(cbind(g$Longitud, g$Latitude), zs(g$PctBach), gX, gn,
                                  bw_min = 30, great_circle = TRUE))

# ---- (b) Columbus (spData): CRIME ~ INC + HOVAL, raw scale, coordinates X, Y ----
cb <- st_drop_geometry(st_read("tests/data/columbus/columbus.shp", quiet = TRUE))
cc <- cbind(cb$X, cb$Y)
cX <- cbind(1, cb$INC, cb$HOVAL)
cn <- c("Intercept", "INC", "HOVAL")
write_case("columbus", mgwr_ref(cc, cb$CRIME, cX, cn, bw_min = 10))
# fixed gaussian kernel, default distance range
write_case("columbus_gs_f", mgwr_ref(cc, cb$CRIME, cX, cn, kernel = "gaussian", fixed = TRUE))
