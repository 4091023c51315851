#!/usr/bin/env Rscript
# Reference neighbour sets and weights for agglo's weights module (tests/unit/test_weights.c).
# Run from the repository root:  Rscript scripts/reference/weights.R
# Writes tests/data/reference/weights/<data>_<kind>.csv with rows "i,j[,w]" (1-based feature
# order, sorted), produced by R spdep (versions recorded in versions.txt); nb2listw styles
# W, C, S, U and minmax in <data>_<kind>_style<S>.csv.
suppressPackageStartupMessages({
  library(sf)
  library(spdep)
})
sf_use_s2(FALSE) # planar GEOS centroids, as agglo's agglo_layer_coords
out <- "tests/data/reference/weights"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

write_nb <- function(nb, name, w = NULL) {
  i <- rep(seq_along(nb), card(nb))
  j <- unlist(lapply(nb, function(x) x[x > 0]))
  d <- data.frame(i = i, j = j)
  if (!is.null(w)) d$w <- sprintf("%.17g", unlist(w))
  write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
}

read_layer <- function(path) st_read(path, quiet = TRUE)
coords_of <- function(x) st_coordinates(st_centroid(st_geometry(x)))

sets <- list(
  columbus = list(path = "tests/data/columbus/columbus.shp", longlat = FALSE),
  nc = list(path = "tests/data/nc/nc.shp", longlat = TRUE),
  ny8 = list(path = "tests/data/ny8/NY8_utm18.shp", longlat = FALSE),
  georgia = list(path = "tests/data/georgia/G_utm.shp", longlat = FALSE)
)

thresholds <- c()
unlink(file.path(out, "scalars.csv"))
for (name in names(sets)) {
  s <- sets[[name]]
  x <- suppressWarnings(read_layer(s$path))
  write_nb(poly2nb(x, queen = TRUE), paste0(name, "_queen"))
  write_nb(poly2nb(x, queen = FALSE), paste0(name, "_rook"))
  xy <- suppressWarnings(coords_of(x))
  for (k in c(1, 4, 8)) {
    nb <- knn2nb(knearneigh(xy, k = k, longlat = s$longlat))
    write_nb(nb, sprintf("%s_knn%d", name, k))
  }
  # distance band: the smallest threshold leaving nobody without a neighbour
  d1 <- max(unlist(nbdists(knn2nb(knearneigh(xy, k = 1, longlat = s$longlat)), xy,
                           longlat = s$longlat)))
  thresholds[name] <- d1
  write_nb(dnearneigh(xy, 0, d1, longlat = s$longlat), paste0(name, "_band_min"))
  write_nb(dnearneigh(xy, 0, 1.5 * d1, longlat = s$longlat), paste0(name, "_band_1.5"))
  # higher order contiguity (queen), exact order 2 and cumulative 1..3
  q <- poly2nb(x, queen = TRUE)
  write_nb(nblag(q, 2)[[2]], paste0(name, "_queen_order2"))
  write_nb(nblag_cumul(nblag(q, 3)), paste0(name, "_queen_upto3"))
  # transforms of the queen weights
  for (st in c("W", "C", "S")) {
    lw <- nb2listw(q, style = st, zero.policy = TRUE)
    write_nb(q, sprintf("%s_queen_style%s", name, st), lw$weights)
  }
  # inverse distance (power 1) within 1.5 x the minimum threshold
  nb <- dnearneigh(xy, 0, 1.5 * d1, longlat = s$longlat)
  dl <- nbdists(nb, xy, longlat = s$longlat)
  write_nb(nb, paste0(name, "_idw1_band_1.5"), lapply(dl, function(v) 1 / v))
  # a band at 0.6 x the minimum threshold leaves islands: spdep's styles then use
  # n - islands (zero.policy = TRUE)
  nbi <- dnearneigh(xy, 0, 0.6 * d1, longlat = s$longlat)
  for (st in c("W", "C", "S")) {
    lw <- nb2listw(nbi, style = st, zero.policy = TRUE)
    write_nb(nbi, sprintf("%s_band_0.6_style%s", name, st), lw$weights)
  }
  # spdep styles U (C / n: all weights sum to 1) and minmax (Kelejian & Prucha 2010: divided by
  # min(max row sum, max column sum)) on binary queen, asymmetric knn4, general (idw) weights
  # given as glist, and the band with islands (zero.policy = TRUE)
  for (st in c("U", "minmax")) {
    write_nb(q, sprintf("%s_queen_style%s", name, st), nb2listw(q, style = st)$weights)
    k4 <- knn2nb(knearneigh(xy, k = 4, longlat = s$longlat))
    write_nb(k4, sprintf("%s_knn4_style%s", name, st), nb2listw(k4, style = st)$weights)
    write_nb(nb, sprintf("%s_idw1_band_1.5_style%s", name, st),
             nb2listw(nb, glist = lapply(dl, function(v) 1 / v), style = st)$weights)
    write_nb(nbi, sprintf("%s_band_0.6_style%s", name, st),
             nb2listw(nbi, style = st, zero.policy = TRUE)$weights)
  }
  cat(sprintf("%s,islands_band_0.6,%d\n", name, sum(card(nbi) == 0)), file = file.path(out, "scalars.csv"), append = TRUE)
  # components of the queen graph
  cat(sprintf("%s,components,%d\n", name, n.comp.nb(q)$nc), file = file.path(out, "scalars.csv"),
      append = TRUE)
  cat(sprintf("%s,min_threshold,%.17g\n", name, d1), file = file.path(out, "scalars.csv"), append = TRUE)
}
# snapping tolerance: NY8 tracts (metres) with snap = 50 and 200
ny <- suppressWarnings(read_layer(sets$ny8$path))
for (sn in c(50, 200)) write_nb(poly2nb(ny, queen = TRUE, snap = sn), sprintf("ny8_queen_snap%d", sn))
# A GeoDa-written k = 4 nearest-neighbour .gwt of baltim (GeoDa puts distances in the third
# column). spdep's read.gwt2nb reads it as binary neighbours (the values kept aside as
# attr(, "GeoDa")$dist); GeoDa's own Moran/LISA also ignore the values (GalElement::SpatialLag
# with is_binary = true). moran.test on style W of that nb is GeoDa's Moran; the same nb with
# the values as general weights (glist) and their inverses give --gwt-values weights and
# distances. Written to baltk4_gwt_moran.csv: mode,I,expectation,variance (randomisation).
b <- st_read("tests/data/baltim/baltim.shp", quiet = TRUE)
gnb <- suppressWarnings(read.gwt2nb(file.path(out, "files", "baltk4.GWT"), region.id = b$STATION))
gd <- attr(gnb, "GeoDa")$dist
rows <- list(
  binary = nb2listw(gnb, style = "W"),
  weights = nb2listw(gnb, glist = gd, style = "W"),
  distances = nb2listw(gnb, glist = lapply(gd, function(v) 1 / v), style = "W")
)
res <- do.call(rbind, lapply(names(rows), function(m) {
  t <- moran.test(b$PRICE, rows[[m]], randomisation = TRUE)
  data.frame(mode = m, I = sprintf("%.17g", t$estimate[1]), expectation = sprintf("%.17g", t$estimate[2]),
             variance = sprintf("%.17g", t$estimate[3]))
}))
write.csv(res, file.path(out, "baltk4_gwt_moran.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, paste("spdep", packageVersion("spdep")),
             paste("sf", packageVersion("sf")), sf_extSoftVersion()[c("GEOS", "GDAL")]),
           file.path(out, "versions.txt"))
