# Reference for agglo distribution: R's bw.nrd0 and density() (gaussian) of per-capita income
# of the 48 US states (libpysal usjoin, tests/data/reference/dynamics/usjoin.csv) in 1929,
# 1969 and 2009, evaluated at 5 points each; density() bins the data and interpolates an FFT
# convolution, so it is run with n = 2^16 points over the range asked for (accurate to about
# 1e-6 relative). Theil's T from ineq::Theil when the ineq package is installed.
# Run: Rscript scripts/reference/distribution.R > tests/data/reference/dynamics/distribution_R.csv
u <- read.csv("tests/data/reference/dynamics/usjoin.csv", check.names = FALSE)
cat("year,key,value\n")
for (yr in c("1929", "1969", "2009")) {
  x <- u[[yr]]
  bw <- bw.nrd0(x)
  cat(sprintf("%s,bandwidth,%.17g\n", yr, bw))
  at <- quantile(x, c(0, 0.25, 0.5, 0.75, 1), names = FALSE)
  d <- density(x, bw = bw, kernel = "gaussian", n = 2^16, from = min(at) - bw, to = max(at) + bw)
  f <- approx(d$x, d$y, xout = at)$y
  for (i in seq_along(at)) cat(sprintf("%s,at %d,%.17g\n%s,density %d,%.17g\n", yr, i, at[i], yr, i, f[i]))
  if (requireNamespace("ineq", quietly = TRUE))
    cat(sprintf("%s,theil,%.17g\n", yr, ineq::Theil(x, parameter = 0)))
}
