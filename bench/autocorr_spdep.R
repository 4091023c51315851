# Times spdep moran.mc and localmoran_perm (999 permutations) on the data written by
# autocorr_bench (hex_<n>.gal + hex_<n>.csv). usage: Rscript autocorr_spdep.R DIR N [NSIM]
suppressMessages(library(spdep))
a <- commandArgs(TRUE); dir <- a[1]; n <- a[2]; nsim <- if (length(a) > 2) as.integer(a[3]) else 999L
nb <- read.gal(file.path(dir, paste0("hex_", n, ".gal")), override.id = TRUE)
x <- read.csv(file.path(dir, paste0("hex_", n, ".csv")))$x
lw <- nb2listw(nb, style = "W")
set.seed(1)
tm <- system.time(m <- moran.mc(x, lw, nsim = nsim))[["elapsed"]]
tl <- system.time(l <- localmoran_perm(x, lw, nsim = nsim))[["elapsed"]]
cat(sprintf("spdep n=%d moran_mc_s=%.3f localmoran_perm_s=%.3f I=%.6f\n", length(x), tm, tl, m$statistic))
