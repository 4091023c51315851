#!/usr/bin/env Rscript
# Reference values for the kde module (kernel density, point patterns, concentration).
# Run from the repository root:  Rscript scripts/reference/kde_reference.R
# Writes point sets to tests/data/points/ and reference values to tests/data/reference/kde/.
# Tools: R 4.2, spatstat 3.0 (spatstat.explore 3.0-6), sf. Every value below is produced by
# spatstat itself (density.ppp, Kest, clarkevans, bw.scott, bw.ppl, bw.diggle) or, where no package
# computes the quantity, by a direct implementation of the published formula (ArcGIS
# bandwidth rule, standard deviational ellipse, concentration indices) that is written
# independently of agglo's C code (e.g. the ellipse by ArcGIS's trigonometric formula, not
# an eigen-decomposition; kernel sums by brute force over all points).
suppressPackageStartupMessages({library(spatstat); library(sf)})
options(digits = 17)
pts_dir <- "tests/data/points"; ref_dir <- "tests/data/reference/kde"
dir.create(pts_dir, showWarnings = FALSE, recursive = TRUE)
dir.create(ref_dir, showWarnings = FALSE, recursive = TRUE)
w17 <- function(df, path) write.csv(df, path, row.names = FALSE, quote = FALSE)
fmt <- function(x) formatC(x, digits = 17, format = "g")

# ---- point sets -------------------------------------------------------------------------
# spatstat's own data sets (unit-square-like windows)
for (nm in c("redwood", "japanesepines", "cells")) {
  X <- get(nm)
  w17(data.frame(x = fmt(X$x), y = fmt(X$y)), file.path(pts_dir, paste0(nm, ".csv")))
}
# a seeded clustered pattern of "shops" in metres (Matern cluster process) with sales weights
set.seed(20240601)
W <- owin(c(500000, 520000), c(3400000, 3416000))
X <- rMatClust(kappa = 4e-8, scale = 600, mu = 40, win = W)
sales <- round(rlnorm(npoints(X), meanlog = 3, sdlog = 1), 2)
w17(data.frame(x = fmt(X$x), y = fmt(X$y), sales = fmt(sales)), file.path(pts_dir, "shops_clustered.csv"))
writeLines(sprintf("%s %s %s %s", fmt(W$xrange[1]), fmt(W$yrange[1]), fmt(W$xrange[2]), fmt(W$yrange[2])),
           file.path(pts_dir, "shops_clustered_window.txt"))
shops <- X

# ---- windows of the spatstat data sets ---------------------------------------------------
win_line <- function(nm, X) sprintf("%s,%s,%s,%s,%s", nm, fmt(X$window$xrange[1]), fmt(X$window$yrange[1]),
                                    fmt(X$window$xrange[2]), fmt(X$window$yrange[2]))
# a pattern with points on the window's edges and corners and duplicated points (also of edge
# points), for the border and isotropic corrections' boundary cases (spatstat warns about the
# duplicates; Kest counts them at r = 0)
set.seed(11)
We <- owin(c(0, 10), c(0, 10))
Xe <- runifpoint(60, win = We)
ex <- c(0, 10, 3.7, 6.1, 0, 10, 0, 2.5); ey <- c(4.2, 7.7, 0, 10, 0, 10, 10, 0)
edge_dups <- suppressWarnings(ppp(c(Xe$x, ex, Xe$x[1:5], 0, 3.7, 10), c(Xe$y, ey, Xe$y[1:5], 4.2, 0, 10),
                                  window = We))
w17(data.frame(x = fmt(edge_dups$x), y = fmt(edge_dups$y)), file.path(pts_dir, "edge_dups.csv"))
writeLines(c("name,xmin,ymin,xmax,ymax", win_line("redwood", redwood), win_line("japanesepines", japanesepines),
             win_line("cells", cells), win_line("shops_clustered", shops), win_line("edge_dups", edge_dups)),
           file.path(ref_dir, "windows.csv"))

# ---- Clark-Evans (spatstat clarkevans, clarkevans.test) ----------------------------------
ce <- NULL
for (nm in c("redwood", "japanesepines", "cells", "shops_clustered")) {
  X <- if (nm == "shops_clustered") shops else get(nm)
  R <- clarkevans(X, correction = c("none", "Donnelly"))
  tt <- clarkevans.test(X, correction = "none")
  ce <- rbind(ce, data.frame(name = nm, n = npoints(X), R_none = fmt(R[["naive"]]),
                             R_donnelly = fmt(R[["Donnelly"]]), p_none = fmt(tt$p.value),
                             mean_nnd = fmt(mean(nndist(X)))))
}
w17(ce, file.path(ref_dir, "clarkevans.csv"))

# ---- Ripley's K (spatstat Kest, default r, border + isotropic) ---------------------------
for (nm in c("redwood", "japanesepines", "shops_clustered", "edge_dups")) {
  X <- switch(nm, shops_clustered = shops, edge_dups = edge_dups, get(nm))
  K <- suppressWarnings(Kest(X, correction = c("border", "isotropic")))
  w17(data.frame(r = fmt(K$r), theo = fmt(K$theo), border = fmt(K$border), iso = fmt(K$iso)),
      file.path(ref_dir, paste0("kest_", nm, ".csv")))
}
# envelope widths for a statistical check of our envelopes (99 simulations, seeded)
set.seed(1)
E <- envelope(redwood, Lest, nsim = 99, correction = "isotropic", verbose = FALSE, savefuns = FALSE)
w17(data.frame(r = fmt(E$r), obs = fmt(E$obs), lo = fmt(E$lo), hi = fmt(E$hi)),
    file.path(ref_dir, "envelope_redwood_L.csv"))
# min/max envelopes are noisy: mean width of L envelopes over 10 seeds (99 simulations each)
widths <- sapply(1:10, function(s) { set.seed(s)
  E <- envelope(redwood, Lest, nsim = 99, correction = "isotropic", verbose = FALSE, savefuns = FALSE)
  mean(E$hi - E$lo) })
w17(data.frame(seed = 1:10, mean_width = fmt(widths)), file.path(ref_dir, "envelope_redwood_widths.csv"))

# ---- kernel density ---------------------------------------------------------------------
# spatstat density.ppp (FFT on the pixel grid, points binned to pixels, edge = FALSE) on the
# shops pattern: grid 100 x 80 cells of 200 m over the window; sigma = 500 m.
X <- shops
D <- density(X, sigma = 500, dimyx = c(80, 100), edge = FALSE)
# rows from the top (north) like a GeoTIFF
M <- D$v[nrow(D$v):1, ]
write.table(format(M, digits = 17), file.path(ref_dir, "density_shops_gauss500.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)
Dw <- density(X, sigma = 500, dimyx = c(80, 100), edge = FALSE, weights = sales)
Mw <- Dw$v[nrow(Dw$v):1, ]
write.table(format(Mw, digits = 17), file.path(ref_dir, "density_shops_gauss500_sales.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)
De <- density(X, sigma = 500, dimyx = c(80, 100), edge = TRUE)
write.table(format(De$v[nrow(De$v):1, ], digits = 17), file.path(ref_dir, "density_shops_gauss500_edge.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)
# redwood, 64 x 64 pixels, sigma 0.05
D2 <- density(redwood, sigma = 0.05, dimyx = c(64, 64), edge = FALSE)
write.table(format(D2$v[64:1, ], digits = 17), file.path(ref_dir, "density_redwood_gauss005.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)

# Exact kernel sums at cell centres by brute force (no binning): gaussian and quartic
# (ArcGIS/QGIS formula K = 3/(pi h^2) (1 - d^2/h^2)^2), 50 x 40 cells of 400 m.
exact_grid <- function(X, w, h, kernel, nc, nr, cell, x0, y1) {
  out <- matrix(0, nr, nc)
  for (r in 1:nr) for (c in 1:nc) {
    cx <- x0 + (c - 0.5) * cell; cy <- y1 - (r - 0.5) * cell
    d2 <- (X$x - cx)^2 + (X$y - cy)^2
    k <- if (kernel == "gaussian") exp(-d2 / (2 * h^2)) / (2 * pi * h^2)
         else ifelse(d2 < h^2, 3 / (pi * h^2) * (1 - d2 / h^2)^2, 0)
    out[r, c] <- sum(w * k)
  }
  out
}
Eg <- exact_grid(X, rep(1, npoints(X)), 700, "gaussian", 50, 40, 400, 500000, 3416000)
Eq <- exact_grid(X, sales, 1500, "quartic", 50, 40, 400, 500000, 3416000)
write.table(format(Eg, digits = 17), file.path(ref_dir, "exact_shops_gauss700.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)
write.table(format(Eq, digits = 17), file.path(ref_dir, "exact_shops_quartic1500_sales.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)

# ---- a grid window cut through a dense cluster (method independence) ----------------------
# 400 points around (0, 0) (sd 800 m) and 100 uniform in a 12 km square, lognormal weights; the
# grid (55 x 50 cells of 100 m over x in [-1000, 4500], y in [-2500, 2500]) cuts through the
# cluster, so many points within the kernel's reach lie outside it. References:
#  * brute force over ALL points (the ArcGIS / QGIS definition: every point within reach of a
#    cell counts), gaussian sigma 300 m unweighted and quartic radius 800 m weighted;
#  * the same with the points moved to the nearest cell centre of the grid's lattice (binning
#    is then exact, so every method must agree to rounding), gaussian sigma 300 m;
#  * spatstat density.ppp on the points inside the grid only (its ppp window = the grid),
#    sigma 300, edge = FALSE and edge = TRUE: agglo's --window-only mode.
set.seed(20240610)
cx <- c(rnorm(400, 0, 800), runif(100, -6000, 6000)); cy <- c(rnorm(400, 0, 800), runif(100, -6000, 6000))
cw <- round(rlnorm(500, 0, 0.5), 3)
w17(data.frame(x = fmt(cx), y = fmt(cy), w = fmt(cw)), file.path(pts_dir, "kde_cut_cluster.csv"))
cut_ext <- c(-1000, -2500, 4500, 2500); cut_cell <- 100; cut_nc <- 55; cut_nr <- 50
CP <- list(x = cx, y = cy)
bf <- exact_grid(CP, rep(1, 500), 300, "gaussian", cut_nc, cut_nr, cut_cell, cut_ext[1], cut_ext[4])
write.table(format(bf, digits = 17), file.path(ref_dir, "cut_bruteforce_gauss300.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)
bf <- exact_grid(CP, cw, 800, "quartic", cut_nc, cut_nr, cut_cell, cut_ext[1], cut_ext[4])
write.table(format(bf, digits = 17), file.path(ref_dir, "cut_bruteforce_quartic800_w.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)
snap <- function(v, v0) v0 + (floor((v - v0) / cut_cell) + 0.5) * cut_cell
SP <- list(x = snap(cx, cut_ext[1]), y = snap(cy, cut_ext[2]))
w17(data.frame(x = fmt(SP$x), y = fmt(SP$y)), file.path(pts_dir, "kde_cut_cluster_snapped.csv"))
bf <- exact_grid(SP, rep(1, 500), 300, "gaussian", cut_nc, cut_nr, cut_cell, cut_ext[1], cut_ext[4])
write.table(format(bf, digits = 17), file.path(ref_dir, "cut_snapped_bruteforce_gauss300.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)
Wc <- owin(cut_ext[c(1, 3)], cut_ext[c(2, 4)])
inW <- inside.owin(cx, cy, Wc)
Xc <- ppp(cx[inW], cy[inW], window = Wc)
for (e in c(FALSE, TRUE)) {
  D <- density(Xc, sigma = 300, dimyx = c(cut_nr, cut_nc), edge = e)
  write.table(format(D$v[cut_nr:1, ], digits = 17),
              file.path(ref_dir, sprintf("cut_spatstat_windowonly_gauss300%s.txt", if (e) "_edge" else "")),
              row.names = FALSE, col.names = FALSE, quote = FALSE)
}

# ---- bandwidths --------------------------------------------------------------------------
bw <- NULL
for (nm in c("redwood", "japanesepines", "shops_clustered")) {
  X <- if (nm == "shops_clustered") shops else get(nm)
  n <- npoints(X)
  scott <- as.numeric(bw.scott(X, isotropic = TRUE))
  silver <- sqrt(bw.nrd0(X$x) * bw.nrd0(X$y))
  mx <- mean(X$x); my <- mean(X$y)
  d <- sqrt((X$x - mx)^2 + (X$y - my)^2)
  SD <- sqrt(sum((X$x - mx)^2) / n + sum((X$y - my)^2) / n)
  arcgis <- 0.9 * min(SD, sqrt(1 / log(2)) * median(d)) * n^-0.2
  ppl <- as.numeric(bw.ppl(X, edge = FALSE))
  bw <- rbind(bw, data.frame(name = nm, scott = fmt(scott), silverman = fmt(silver),
                             arcgis = fmt(arcgis), ppl = fmt(ppl)))
}
w17(bw, file.path(ref_dir, "bandwidths.csv"))

# ---- centrography (ArcGIS formulas, trigonometric form) -----------------------------------
sde <- function(x, y, w) {
  W <- sum(w); mx <- sum(w * x) / W; my <- sum(w * y) / W
  xt <- x - mx; yt <- y - my
  SD <- sqrt(sum(w * (xt^2 + yt^2)) / W)
  A <- sum(w * xt^2) - sum(w * yt^2); C <- 2 * sum(w * xt * yt); B <- sqrt(A^2 + C^2)
  theta <- atan((A + B) / C)          # ArcGIS: rotation of the y axis, clockwise
  sx <- sqrt(2) * sqrt(sum(w * (xt * cos(theta) - yt * sin(theta))^2) / W)
  sy <- sqrt(2) * sqrt(sum(w * (xt * sin(theta) + yt * cos(theta))^2) / W)
  c(mean_x = mx, mean_y = my, sd = SD, major = max(sx, sy), minor = min(sx, sy),
    theta_deg = (theta * 180 / pi) %% 180, sx = sx, sy = sy)
}
s1 <- sde(shops$x, shops$y, rep(1, npoints(shops)))
s2 <- sde(shops$x, shops$y, sales)
w17(data.frame(case = c("unweighted", "sales"), rbind(fmt(s1), fmt(s2))), file.path(ref_dir, "sde_shops.csv"))

# ---- concentration (published formulas) ---------------------------------------------------
nc <- st_read("tests/data/nc/nc.shp", quiet = TRUE)
conc <- function(e, b, k = 4) {
  s <- e / sum(e); x <- b / sum(b); lq <- s / x
  o <- order(lq); X <- c(0, cumsum(x[o])); Y <- c(0, cumsum(s[o]))
  gini <- 1 - sum(diff(X) * (head(Y, -1) + tail(Y, -1)))
  hhi <- sum(s^2); n <- length(s)
  theil <- sum(ifelse(s > 0, s * log(s / x), 0)); ent <- -sum(ifelse(s > 0, s * log(s), 0))
  G <- sum((s - x)^2); H <- 1 / sum(e); sx2 <- sum(x^2)
  gamma <- (G - (1 - sx2) * H) / ((1 - sx2) * (1 - H))
  list(lq = lq, idx = c(gini = gini, g_raw = G, hhi = hhi, hhi_norm = (hhi - 1/n) / (1 - 1/n),
                        cr = sum(sort(s, decreasing = TRUE)[1:k]), theil = theil, entropy = ent,
                        eg_G = G, eg_H = H, eg_sum_x2 = sx2, eg_gamma = gamma))
}
c74 <- conc(nc$SID74, nc$BIR74)
w17(data.frame(index = names(c74$idx), value = fmt(c74$idx)), file.path(ref_dir, "conc_nc_sid74_bir74.csv"))
w17(data.frame(lq = fmt(c74$lq)), file.path(ref_dir, "conc_nc_sid74_bir74_lq.csv"))
# Ellison-Glaeser from plants: 400 seeded shops with lognormal sizes placed in nc counties
set.seed(7)
nc_planar <- st_set_crs(nc, NA)  # agglo's join works in the layer's planar coordinates
pp <- st_sample(st_union(nc_planar), 400)
pp <- st_sf(size = round(rlnorm(400, 2, 1), 2), geometry = pp)
inside <- st_intersects(pp, nc_planar)
region <- vapply(inside, function(v) if (length(v)) min(v) else NA_integer_, 1L)
pp <- pp[!is.na(region), ]; region <- region[!is.na(region)]
xy <- st_coordinates(pp)
w17(data.frame(lon = fmt(xy[, 1]), lat = fmt(xy[, 2]), size = fmt(pp$size)), file.path(pts_dir, "nc_plants.csv"))
s_i <- tapply(pp$size, factor(region, levels = seq_len(nrow(nc))), sum); s_i[is.na(s_i)] <- 0
s_i <- s_i / sum(pp$size); x_i <- nc$BIR74 / sum(nc$BIR74)
G <- sum((s_i - x_i)^2); H <- sum((pp$size / sum(pp$size))^2); sx2 <- sum(x_i^2)
gamma <- (G - (1 - sx2) * H) / ((1 - sx2) * (1 - H))
w17(data.frame(index = c("eg_G", "eg_H", "eg_sum_x2", "eg_gamma", "n_plants"),
               value = fmt(c(G, H, sx2, gamma, nrow(pp)))), file.path(ref_dir, "conc_nc_plants_eg.csv"))

# ---- bw.diggle (spatstat.explore bw.diggle, all defaults) ---------------------------------
# Kest's correction = "good" is isotropic below 1000 points, translation below 3000, border
# above: two seeded uniform patterns (1500 and 3500 points in a 2 x 0.7 rectangle) exercise the
# translation and border branches; they are written next to the values. Columns: the pattern,
# its window, n, and sigma = as.numeric(bw.diggle(X)) (the grid value spatstat returns).
dg <- NULL
dig_row <- function(nm, X) data.frame(name = nm, xmin = fmt(X$window$xrange[1]), ymin = fmt(X$window$yrange[1]),
                                      xmax = fmt(X$window$xrange[2]), ymax = fmt(X$window$yrange[2]),
                                      n = npoints(X), sigma = fmt(as.numeric(suppressWarnings(bw.diggle(X)))))
for (nm in c("redwood", "japanesepines", "cells")) dg <- rbind(dg, dig_row(nm, get(nm)))
dg <- rbind(dg, dig_row("shops_clustered", shops))
np <- read.csv(file.path(pts_dir, "nc_plants.csv"))
dg <- rbind(dg, dig_row("nc_plants", ppp(np$lon, np$lat, range(np$lon), range(np$lat))))
for (nn in c(1500, 3500)) {
  set.seed(nn)
  X <- runifpoint(nn, win = owin(c(0, 2), c(0, 0.7)))
  nm <- paste0("diggle_unif", nn)
  w17(data.frame(x = fmt(X$x), y = fmt(X$y)), file.path(ref_dir, paste0(nm, ".csv")))
  dg <- rbind(dg, dig_row(nm, X))
}
w17(dg, file.path(ref_dir, "bw_diggle.csv"))
cat("reference values written to", ref_dir, "\n")
