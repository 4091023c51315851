#!/usr/bin/env Rscript
# Seeded generator of the worked-example panel over sample_shapes/counties.shp: 189 townships
# x 10 years (2013-2022) from a two-way fixed-effects spatial Durbin process
#   y = rho W y + x1 b1 + x2 b2 + W x1 t1 + W x2 t2 + mu_i + tau_t + e,
# W queen contiguity row-standardised (spdep poly2nb). Synthetic: for trying the software.
# Writes sample_shapes/counties_panel.csv (long), sample_shapes/counties_panel_wide.csv
# and sample_shapes/counties_queen.gal. Run from the repository root.
suppressMessages({library(sf); library(spdep)})
set.seed(20240611)
shp <- st_read("sample_shapes/counties.shp", quiet = TRUE)
nb <- poly2nb(shp, row.names = shp$code)
lw <- nb2listw(nb, style = "W")
W <- listw2mat(lw)
N <- nrow(shp); years <- 2013:2022; T <- length(years)
rho <- 0.4; b <- c(0.8, -0.5); th <- c(0.3, 0.2)
mu <- rnorm(N, 0, 1); tau <- seq(0, 1, length.out = T) + rnorm(T, 0, 0.2)
A <- solve(diag(N) - rho * W)
rows <- list()
for (t in seq_len(T)) {
  x1 <- rnorm(N, 2 + 0.1 * t, 1) + 0.3 * mu
  x2 <- rnorm(N, 0, 1)
  y <- A %*% (b[1] * x1 + b[2] * x2 + th[1] * W %*% x1 + th[2] * W %*% x2 + mu + tau[t] +
              rnorm(N, 0, 0.5))
  rows[[t]] <- data.frame(code = shp$code, year = years[t], y = round(as.vector(y), 6),
                          x1 = round(x1, 6), x2 = round(x2, 6))
}
d <- do.call(rbind, rows)
d <- d[sample(nrow(d)), ]   # any order
write.csv(d, "sample_shapes/counties_panel.csv", row.names = FALSE, quote = FALSE)
wide <- reshape(d[order(d$code, d$year), ], idvar = "code", timevar = "year",
                direction = "wide", sep = "_")
write.csv(wide, "sample_shapes/counties_panel_wide.csv", row.names = FALSE, quote = FALSE)
attr(nb, "region.id") <- as.character(shp$code)
write.nb.gal(nb, "sample_shapes/counties_queen.gal", oldstyle = FALSE,
             shpfile = "counties", ind = "code")
