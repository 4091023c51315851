# Reference for agglo ranksize: R lm on the rank-size transformations of the 1974 births of
# North Carolina's 100 counties (tests/data/nc, BIR74), all counties and the 30 largest.
# Sizes sorted in decreasing order, rank 1..n;
#   Gabaix & Ibragimov (2011, JBES 29(1) 24-39): lm(log(rank - 1/2) ~ log(size)) with their
#   standard error of the slope sqrt(2 / n) * |slope| (stated in the paper, eq. (3));
#   classic Zipf: lm(log(rank) ~ log(size)) with lm's standard error.
# Run: Rscript scripts/reference/ranksize.R > tests/data/reference/describe/ranksize_R.csv
suppressMessages(library(sf))
nc <- st_read("tests/data/nc/nc.shp", quiet = TRUE)
cat("section,key,value\n")
for (top in c(0, 30)) {
  s <- sort(nc$BIR74, decreasing = TRUE)
  if (top > 0) s <- s[seq_len(top)]
  n <- length(s); r <- seq_len(n)
  pre <- if (top > 0) sprintf("top%d ", top) else ""
  gi <- summary(lm(log(r - 0.5) ~ log(s)))
  ol <- summary(lm(log(r) ~ log(s)))
  b <- coef(gi)[2, 1]
  out <- list(gabaix_ibragimov = c(intercept = coef(gi)[1, 1], slope = b,
                                   se = sqrt(2 / n) * abs(b), r2 = gi$r.squared),
              ols = c(intercept = coef(ol)[1, 1], slope = coef(ol)[2, 1],
                      se = coef(ol)[2, 2], t = coef(ol)[2, 3], r2 = ol$r.squared))
  cat(sprintf("%sall,n,%d\n", pre, n))
  for (sec in names(out)) for (k in names(out[[sec]]))
    cat(sprintf("%s%s,%s,%.17g\n", pre, sec, k, out[[sec]][[k]]))
}
