# R reference timing for bench/gwr.sh: the same search as agglo (mgwr's golden section on
# integer adaptive bisquare bandwidths, AICc, range [40 + 2p, n]) written in base R, every
# local regression solved independently. usage: Rscript bench/gwr_reference.R data.csv
args <- commandArgs(TRUE)
d <- read.csv(args[1])
coords <- cbind(d$u, d$v); y <- d$y; X <- cbind(1, d$x1, d$x2, d$x3, d$x4)
n <- nrow(X); p <- ncol(X)
t0 <- proc.time()[["elapsed"]]
D <- as.matrix(dist(coords))
aicc <- function(k) {
  hat <- numeric(n); yhat <- numeric(n)
  for (i in 1:n) {
    di <- D[i, ]; h <- sort(di, partial = k)[k] * 1.0000001
    w <- ifelse(di < h, (1 - (di / h)^2)^2, 0)
    A <- crossprod(X, w * X)
    b <- solve(A, crossprod(X, w * y))
    yhat[i] <- sum(X[i, ] * b)
    hat[i] <- sum(X[i, ] * solve(A, X[i, ]))
  }
  rss <- sum((y - yhat)^2); trS <- sum(hat)
  2 * n * log(sqrt(rss / n)) + n * log(2 * pi) + n * (n + trS) / (n - 2 - trS)
}
a <- 40 + 2 * p; c <- n; delta <- 0.38197
b <- a + delta * abs(c - a); dd <- c - delta * abs(c - a)
memo <- list(); diff <- 1e9; it <- 0
while (abs(diff) > 1e-6 && it < 200) {
  it <- it + 1; b <- round(b); dd <- round(dd)
  kb <- as.character(b); kd <- as.character(dd)
  if (is.null(memo[[kb]])) memo[[kb]] <- aicc(b)
  if (is.null(memo[[kd]])) memo[[kd]] <- aicc(dd)
  sb <- memo[[kb]]; sd <- memo[[kd]]
  if (sb <= sd) { opt <- b; os <- sb; c <- dd; dd <- b; b <- a + delta * abs(c - a) }
  else { opt <- dd; os <- sd; a <- b; b <- dd; dd <- c - delta * abs(c - a) }
  diff <- sb - sd
}
t1 <- proc.time()[["elapsed"]]
cat(sprintf("R n=%d bw=%g aicc=%.10g evals=%d total_s=%.3f\n", n, opt, os, length(memo), t1 - t0))
