# Reference values for the Dagum Gini decomposition and the Theil decomposition (agglo dagum).
#
# No R package with Dagum's (1997) decomposition is installed here, so this is an
# implementation in R written from the paper (Dagum C., 1997, "A new approach to the
# decomposition of the Gini income inequality ratio", Empirical Economics 22:515-531, eqs.
# (1)-(12)), vectorised with outer() over all pairs -- written separately from agglo's C code,
# stated as such. It checks G = Gw + Gnb + Gt itself.
# Data: Columbus neighbourhoods (spData), INC and HOVAL grouped by CP and EW; the panel stacks
# INC (period 1) and HOVAL (period 2) grouped by CP.
library(sf)
d <- st_drop_geometry(st_read("tests/data/columbus/columbus.shp", quiet = TRUE))
dagum <- function(y, g) {
  n <- length(y); mu <- mean(y)
  G <- sum(abs(outer(y, y, "-"))) / (2 * n^2 * mu)
  lev <- sort(unique(g)); k <- length(lev)
  yj <- lapply(lev, function(l) y[g == l])
  nj <- sapply(yj, length); mj <- sapply(yj, mean)
  pj <- nj / n; sj <- nj * mj / (n * mu)
  Gjj <- sapply(seq_len(k), function(j) sum(abs(outer(yj[[j]], yj[[j]], "-"))) / (2 * nj[j]^2 * mj[j]))
  Gw <- sum(Gjj * pj * sj)
  Gnb <- 0; Gt <- 0; pairs <- list()
  for (j in 2:k) for (h in 1:(j - 1)) {
    Gjh <- sum(abs(outer(yj[[j]], yj[[h]], "-"))) / (nj[j] * nj[h] * (mj[j] + mj[h]))
    # d_jh: E over pairs of (y_j - y_h)_+ with mean_j >= mean_h; p_jh: (y_h - y_j)_+
    a <- if (mj[j] >= mj[h]) j else h; b <- if (a == j) h else j
    dif <- outer(yj[[a]], yj[[b]], "-")
    djh <- mean(pmax(dif, 0)); pjh <- mean(pmax(-dif, 0))
    Djh <- (djh - pjh) / (djh + pjh)
    wgt <- pj[j] * sj[h] + pj[h] * sj[j]
    Gnb <- Gnb + Gjh * wgt * Djh
    Gt <- Gt + Gjh * wgt * (1 - Djh)
    pairs[[length(pairs) + 1]] <- c(lev[h], lev[j], Gjh, Djh)
  }
  stopifnot(abs(G - (Gw + Gnb + Gt)) < 1e-12)
  Tt <- mean((y / mu) * log(y / mu))
  Tj <- sapply(seq_len(k), function(j) mean((yj[[j]] / mj[j]) * log(yj[[j]] / mj[j])))
  list(G = G, Gw = Gw, Gnb = Gnb, Gt = Gt, Gjj = Gjj, pairs = pairs,
       theil = Tt, theil_within = sum(sj * Tj), theil_between = sum(sj * log(mj / mu)))
}
fmt <- function(x) sprintf("%.17g", x)
rows <- list()
add <- function(case, r) {
  rows[[length(rows) + 1]] <<- data.frame(case = case,
    key = c("G", "G_within", "G_between_net", "G_transvariation", "theil", "theil_within",
            "theil_between", paste0("G_jj ", seq_along(r$Gjj) - 1),
            unlist(lapply(r$pairs, function(p) c(paste0("G_jh ", p[1], "-", p[2]),
                                                  paste0("D_jh ", p[1], "-", p[2]))))),
    value = fmt(c(r$G, r$Gw, r$Gnb, r$Gt, r$theil, r$theil_within, r$theil_between, r$Gjj,
                  unlist(lapply(r$pairs, function(p) p[3:4])))))
}
add("INC_CP", dagum(d$INC, d$CP))
add("INC_EW", dagum(d$INC, d$EW))
add("HOVAL_CP", dagum(d$HOVAL, d$CP))
# four groups: 2 EW + CP
add("CRIME_EWCP", dagum(d$CRIME, 2 * d$EW + d$CP))
dir.create("tests/data/reference/detect", showWarnings = FALSE, recursive = TRUE)
write.csv(do.call(rbind, rows), "tests/data/reference/detect/dagum_columbus.csv",
          row.names = FALSE, quote = FALSE)
