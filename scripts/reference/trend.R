# Reference for agglo trend: R lm(z ~ polym(u, v, degree = k, raw = TRUE)) on columbus CRIME
# (tests/data/columbus) at the polygon centroids as sf::st_centroid gives them (and at
# sf::st_point_on_surface for --on-surface), orders 1, 2, 3 and 6 (28 terms, 49 observations). u, v are the coordinates centred on their means and divided
# by their sample standard deviations, as agglo documents, so that the coefficients compare;
# R2, RMS (sqrt(mean(residuals^2))) and fitted values are invariant to that scaling and are
# also checked against lm on the raw coordinates (polym raw = TRUE on x, y) up to order 3.
# Run: Rscript scripts/reference/trend.R > tests/data/reference/describe/trend_R.csv
suppressMessages(library(sf))
col <- st_read("tests/data/columbus/columbus.shp", quiet = TRUE)
cat("section,key,value\n")
for (loc in c("centroid", "point_on_surface")) {
  g <- st_geometry(col)
  p <- if (loc == "centroid") st_centroid(g) else st_point_on_surface(g)
  xy <- st_coordinates(p)
  x <- xy[, 1]; y <- xy[, 2]; z <- col$CRIME
  u <- (x - mean(x)) / sd(x); v <- (y - mean(y)) / sd(y)
  cat(sprintf("%s,x_mean,%.17g\n%s,y_mean,%.17g\n%s,x_scale,%.17g\n%s,y_scale,%.17g\n",
              loc, mean(x), loc, mean(y), loc, sd(x), loc, sd(y)))
  for (k in c(1, 2, 3, 6)) {
    m <- lm(z ~ polym(u, v, degree = k, raw = TRUE))
    # raw coordinates: the same fit up to order 3; at order 6 the raw powers are so
    # ill-conditioned that lm's QR drops terms (the reason agglo scales first)
    if (k <= 3) {
      mr <- lm(z ~ polym(x, y, degree = k, raw = TRUE))
      stopifnot(max(abs(fitted(m) - fitted(mr))) < 1e-6)
    }
    stopifnot(!any(is.na(coef(m))))
    s <- summary(m)
    sec <- sprintf("%s order_%d", loc, k)
    cat(sprintf("%s,r2,%.17g\n%s,r2_adj,%.17g\n%s,rms,%.17g\n%s,sigma,%.17g\n", sec, s$r.squared,
                sec, s$adj.r.squared, sec, sqrt(mean(residuals(m)^2)), sec, s$sigma))
    cf <- coef(m)
    nm <- sub(".*raw = TRUE\\)", "", names(cf))
    for (i in seq_along(cf)) {
      key <- if (i == 1) "x0_y0" else {
        pw <- as.integer(strsplit(nm[i], ".", fixed = TRUE)[[1]])
        sprintf("x%d_y%d", pw[1], pw[2])
      }
      cat(sprintf("%s coefficients,%s,%.17g\n", sec, key, cf[i]))
    }
    f <- fitted(m)
    for (i in c(1, 10, 25, 49)) cat(sprintf("%s,fitted_%d,%.17g\n", sec, i, f[i]))
  }
}
