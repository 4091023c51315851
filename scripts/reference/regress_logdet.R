# Reference values for the approximate log-determinant methods (tests/unit/test_regress.c:
# test_logdet_*, test_guide_fallback). R 4.2 + spdep 1.2-7 + spatialreg 1.2-6. Run from the
# repository root after regress.R (it reads that script's <case>_data.csv / <case>_nb.csv):
#   Rscript scripts/reference/regress_logdet.R
# Writes tests/data/reference/regress/:
#   logdet_<case>.csv  model,field,value for columbus_queen and nc_queen (row-standardised):
#     ld_exact_<i>   log det(I - rho W) from R's dense determinant, rho = rhos[i]
#     ld_cheb_<i>    spatialreg:::do_ldet after spatialreg:::cheb_setup(q = 5)
#     ld_mcexp_<i>   the expectation of the Barry-Pace estimator with m = 30 terms,
#                    -sum_{k<=30} rho^k tr(W^k) / k, tr(W^k) from R's eigenvalues
#     ld_mcsr_<i>, ld_mcsr_sd_<i>  spatialreg:::do_ldet after mcdet_setup(p = 16, m = 30),
#                    set.seed(1), and its reported standard error
#     lag_cheb / error_cheb: lagsarlm / errorsarlm method "Chebyshev" (cheb_q = 5)
#     lag_mc / error_mc: method "MC" (MC_p = 16, MC_m = 30) over seeds 1..30: mean and sd
#                    across seeds of rho (lambda), the coefficients and the log-likelihood
#   guide_tri_data.csv, guide_tri_nb.csv, guide_tri.csv: a binary W of disjoint triangles
#     and pairs over Columbus (spectrum 2, 1, -1: outside the [-1, 1] the Chebyshev terms
#     assume) and y simulated from a lag model (rho = -0.5, seed 3): lagsarlm / errorsarlm
#     eigen fits (with the lag model's impacts and y - (I - rho W)^-1 X b by a dense solve),
#     and the Chebyshev q = 3 fit (the guide agglo uses for n >= 5000), which is
#     off by more than 0.05.
suppressMessages({library(sf); library(spdep); library(spatialreg)})
out <- "tests/data/reference/regress"
fmt <- function(v) formatC(v, digits = 17, format = "g")
rows <- NULL
add <- function(model, field, value) {
  value <- as.numeric(value)
  f <- if (length(value) == 1) field else paste0(field, "_", seq_along(value) - 1)
  rows <<- rbind(rows, data.frame(model = model, field = f, value = fmt(value)))
}
read_case <- function(cs) {
  d <- read.csv(file.path(out, paste0(cs, "_data.csv")))
  p <- read.csv(file.path(out, paste0(cs, "_nb.csv")))
  nb <- lapply(seq_len(nrow(d)), function(i) as.integer(sort(p$j[p$i == i])))
  class(nb) <- "nb"; attr(nb, "region.id") <- as.character(seq_len(nrow(d)))
  list(d = d, nb = nb)
}
ldenv <- function(lw) {
  env <- new.env()
  assign("listw", lw, envir = env); assign("family", "SAR", envir = env)
  assign("verbose", FALSE, envir = env); assign("n", length(lw$neighbours), envir = env)
  env
}
rhos <- c(-0.8, -0.3, 0.2, 0.5, 0.8, 0.95)
# small_asy = FALSE, optimHess = TRUE as in regress.R for the sparse methods
ctl <- list(small_asy = FALSE, optimHess = TRUE, tol.opt = 1e-12, cheb_q = 5L, MC_p = 16L,
            MC_m = 30L)
for (cs in c("columbus_queen", "nc_queen")) {
  rows <- NULL
  a <- read_case(cs)
  lw <- nb2listw(a$nb, style = "W")
  W <- as.matrix(as(lw, "CsparseMatrix")); n <- nrow(W)
  add("ld", "rho", rhos)
  add("ld", "exact", sapply(rhos, function(r) determinant(diag(n) - r * W)$modulus))
  env <- ldenv(lw); spatialreg:::cheb_setup(env, q = 5)
  add("ld", "cheb", sapply(rhos, function(r) spatialreg:::do_ldet(r, env)))
  ev <- eigen(W, only.values = TRUE)$values
  trk <- sapply(1:30, function(k) Re(sum(ev^k)))
  add("ld", "mcexp", sapply(rhos, function(r) -sum(r^(1:30) * trk / (1:30))))
  env <- ldenv(lw); set.seed(1); spatialreg:::mcdet_setup(env, p = 16, m = 30)
  v <- lapply(rhos, function(r) spatialreg:::do_ldet(r, env))
  add("ld", "mcsr", sapply(v, as.numeric)); add("ld", "mcsr_sd", sapply(v, attr, "sd"))
  f <- as.formula(paste("y ~", paste(names(a$d)[-(1:2)], collapse = " + ")))
  lag <- lagsarlm(f, data = a$d, listw = lw, method = "Chebyshev", quiet = TRUE, control = ctl)
  add("lag_cheb", "rho", lag$rho); add("lag_cheb", "rho_se", lag$rho.se)
  add("lag_cheb", "coef", coef(lag)[-1]); add("lag_cheb", "se", lag$rest.se)
  add("lag_cheb", "loglik", lag$LL); add("lag_cheb", "s2", lag$s2)
  err <- errorsarlm(f, data = a$d, listw = lw, method = "Chebyshev", quiet = TRUE, control = ctl)
  add("error_cheb", "lambda", err$lambda)
  add("error_cheb", "coef", coef(err)[names(coef(err)) != "lambda"]); add("error_cheb", "se", err$rest.se)
  add("error_cheb", "loglik", err$LL); add("error_cheb", "s2", err$s2)
  for (m in c("lag", "error")) {
    fits <- lapply(1:30, function(s) {
      set.seed(s)
      fit <- if (m == "lag") lagsarlm(f, data = a$d, listw = lw, method = "MC", quiet = TRUE, control = ctl)
             else errorsarlm(f, data = a$d, listw = lw, method = "MC", quiet = TRUE, control = ctl)
      c(if (m == "lag") fit$rho else fit$lambda, fit$coefficients, fit$LL)
    })
    M <- do.call(rbind, fits)
    add(paste0(m, "_mc"), "mean", colMeans(M)); add(paste0(m, "_mc"), "sd", apply(M, 2, sd))
  }
  write.csv(rows, file.path(out, paste0("logdet_", cs, ".csv")), row.names = FALSE, quote = FALSE)
}
# ---- the guide's fallback: binary triangles and pairs over Columbus
rows <- NULL
a <- st_read("tests/data/columbus/columbus.shp", quiet = TRUE)
xy <- st_coordinates(st_centroid(st_geometry(a))); n <- nrow(xy)
cen <- colMeans(xy); ord <- order(atan2(xy[, 2] - cen[2], xy[, 1] - cen[1]))
nb <- vector("list", n)
for (k in seq(1, 43, by = 3)) { g <- ord[k:(k + 2)]; for (i in g) nb[[i]] <- sort(setdiff(g, i)) }
for (k in c(46, 48)) { nb[[ord[k]]] <- ord[k + 1]; nb[[ord[k + 1]]] <- ord[k] }
nb <- lapply(nb, as.integer); class(nb) <- "nb"; attr(nb, "region.id") <- as.character(1:n)
lw <- nb2listw(nb, style = "B"); W <- as.matrix(as(lw, "CsparseMatrix"))
X <- cbind(1, a$INC, a$HOVAL)
set.seed(3)
y <- as.numeric(solve(diag(n) - (-0.5) * W, X %*% c(10, -1, -0.2) + rnorm(n, sd = 50)))
d <- data.frame(i = 1:n, y = fmt(y), INC = fmt(a$INC), HOVAL = fmt(a$HOVAL))
write.csv(d, file.path(out, "guide_tri_data.csv"), row.names = FALSE, quote = FALSE)
pairs <- do.call(rbind, lapply(1:n, function(i) data.frame(i = i, j = nb[[i]])))
write.csv(pairs, file.path(out, "guide_tri_nb.csv"), row.names = FALSE, quote = FALSE)
dat <- data.frame(y = y, INC = a$INC, HOVAL = a$HOVAL)
lag <- lagsarlm(y ~ INC + HOVAL, data = dat, listw = lw, method = "eigen", quiet = TRUE,
                control = list(tol.opt = 1e-12))
add("lag", "rho", lag$rho); add("lag", "coef", coef(lag)[-1]); add("lag", "loglik", lag$LL)
add("lag", "interval", lag$interval)
# impacts by their definition (dense solve; spatialreg's b / (1 - rho) total assumes a
# row-standardised W) and y - (I - rho W)^-1 X b: rho = -0.516 with lambda_max = 2 puts
# |rho| lambda_max above 1
A <- solve(diag(n) - lag$rho * W); b <- coef(lag)[-1]
add("lag", "direct", b[-1] * sum(diag(A)) / n); add("lag", "total", b[-1] * sum(A) / n)
add("lag", "naive_resid", y - A %*% (X %*% b))
lag3 <- lagsarlm(y ~ INC + HOVAL, data = dat, listw = lw, method = "Chebyshev", quiet = TRUE,
                 control = list(tol.opt = 1e-12, cheb_q = 3L), interval = lag$interval)
add("lag_cheb3", "rho", lag3$rho)
err <- errorsarlm(y ~ INC + HOVAL, data = dat, listw = lw, method = "eigen", quiet = TRUE,
                  control = list(tol.opt = 1e-12))
add("error", "lambda", err$lambda); add("error", "coef", coef(err)[names(coef(err)) != "lambda"])
add("error", "loglik", err$LL)
err3 <- errorsarlm(y ~ INC + HOVAL, data = dat, listw = lw, method = "Chebyshev", quiet = TRUE,
                   control = list(tol.opt = 1e-12, cheb_q = 3L), interval = err$interval)
add("error_cheb3", "lambda", err3$lambda)
write.csv(rows, file.path(out, "guide_tri.csv"), row.names = FALSE, quote = FALSE)
