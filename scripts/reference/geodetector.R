# Reference values for the geographical detector and the discretisations (agglo geodetector).
#
# Independent implementations, not ours:
#  * the R package geodetector 1.0-5 (Xu & Wang; CRAN) -- factor_detector, interaction_detector,
#    risk_detector, ecological_detector -- on its published example data CollectData
#    (neural-tube birth defects, 185 cells);
#  * the R package GD 10.8 (Song et al. 2020; CRAN) -- disc() and optidisc() -- on its ndvi_40
#    data (713 cells);
#  * classInt 0.4 (Debian r-cran-classint) classIntervals(style = "jenks") for natural breaks;
#  * base R: t.test (Welch), lm/anova residual sums of squares + pf for the SSW-ratio F test.
# CRAN is not reachable from the build machine, so the two packages' R sources are used as
# published on CRAN (GitHub mirror github.com/cran/geodetector and github.com/cran/GD): point
# GEODETECTOR_SRC and GD_SRC at unpacked copies, e.g.
#   git clone https://github.com/cran/geodetector /tmp/geodsrc
#   git clone https://github.com/cran/GD /tmp/gdsrc
#   GEODETECTOR_SRC=/tmp/geodsrc GD_SRC=/tmp/gdsrc Rscript scripts/reference/geodetector.R
# (with the packages installed, library(geodetector); library(GD) work the same way).
# Writes tests/data/detect/{disease,ndvi_40}.csv and tests/data/reference/detect/*.csv.
geod <- Sys.getenv("GEODETECTOR_SRC", "/tmp/geodsrc")
gdsrc <- Sys.getenv("GD_SRC", "/tmp/gdsrc")
if (requireNamespace("geodetector", quietly = TRUE)) {
  library(geodetector); data(CollectData)
} else {
  for (f in list.files(file.path(geod, "R"), full.names = TRUE)) source(f)
  load(file.path(geod, "data", "CollectData.rda"))
}
if (requireNamespace("GD", quietly = TRUE)) {
  library(GD); data(ndvi_40)
} else {
  for (f in c("disc.R", "gd.R", "optidisc.R")) source(file.path(gdsrc, "R", f))
  load(file.path(gdsrc, "data", "ndvi_40.rda"))
}
library(classInt)
dd <- "tests/data/detect"; rd <- "tests/data/reference/detect"
dir.create(dd, showWarnings = FALSE, recursive = TRUE)
dir.create(rd, showWarnings = FALSE, recursive = TRUE)
w <- function(x, f) write.csv(x, file.path(rd, f), row.names = FALSE, quote = FALSE)
fmt <- function(x) sprintf("%.17g", x)

# ---- data ----
d <- CollectData
write.csv(d, file.path(dd, "disease.csv"), row.names = FALSE, quote = FALSE)
nd <- ndvi_40[, c("NDVIchange", "Tempchange", "Precipitation", "GDP", "Popdensity")]
write.csv(data.frame(lapply(nd, fmt)), file.path(dd, "ndvi_40.csv"), row.names = FALSE,
          quote = FALSE)

# ---- factor detector (geodetector package) ----
fac <- c("watershed", "soiltype", "elevation")
fd <- factor_detector("incidence", fac, d)
w(data.frame(factor = fac, q = fmt(sapply(fd, function(r) r[1, 1])),
             p = fmt(sapply(fd, function(r) r[1, 2]))), "gd_factor.csv")

# ---- interaction detector: q of the overlay and its p (factor_detector on the pasted
#      strata, as interaction_detector does), the package's class ----
it <- interaction_detector("incidence", fac, d)
pairs <- t(combn(fac, 2))
rows <- list()
for (k in seq_len(nrow(pairs))) {
  a <- pairs[k, 1]; b <- pairs[k, 2]
  dd2 <- d; dd2$ab <- paste(d[[a]], d[[b]], sep = "_")
  r <- factor_detector("incidence", "ab", dd2)[[1]]
  rows[[k]] <- data.frame(a = a, b = b, q = fmt(r[1, 1]), p = fmt(r[1, 2]))
}
inter <- do.call(rbind, rows)
# the package returns the q values (pairs and single factors); its relationship text is not
# returned: for these q values its rules give "Enhance, bi-" (max < q(AnB) < q(A) + q(B))
qi <- it[it[, 1] != it[, 2], , drop = FALSE]
stopifnot(all(abs(as.numeric(qi[, 3]) - as.numeric(inter$q)) < 1e-12))
inter$q_package <- fmt(as.numeric(qi[, 3]))
w(inter, "gd_interaction.csv")

# ---- risk detector: means and the package's significance matrix; Welch t from t.test ----
rk <- risk_detector("incidence", fac, d)
rm <- list(); rs <- list(); rt <- list()
for (f in seq_along(fac)) {
  m <- rk[[f]][[1]]
  rm[[f]] <- data.frame(factor = fac[f], level = m[, 1], mean = fmt(m[, 2]))
  s <- rk[[f]][[2]]
  lv <- rownames(s)
  for (i in seq_along(lv)) for (j in seq_along(lv)) if (i < j) {
    rs[[length(rs) + 1]] <- data.frame(factor = fac[f], a = lv[i], b = lv[j],
                                        sig = ifelse(is.na(s[i, j]), "NA", as.character(s[i, j])))
  }
  levs <- sort(unique(d[[fac[f]]]))
  for (i in seq_along(levs)) for (j in seq_along(levs)) if (i < j) {
    yi <- d$incidence[d[[fac[f]]] == levs[i]]; yj <- d$incidence[d[[fac[f]]] == levs[j]]
    if (length(yi) > 1 && length(yj) > 1 && var(yi) + var(yj) > 0) {
      tt <- t.test(yi, yj, var.equal = FALSE)
      rt[[length(rt) + 1]] <- data.frame(factor = fac[f], a = levs[i], b = levs[j],
                                          t = fmt(abs(tt$statistic)), df = fmt(tt$parameter),
                                          p = fmt(tt$p.value))
    }
  }
}
w(do.call(rbind, rm), "gd_risk_mean.csv")
w(do.call(rbind, rs), "gd_risk_sig.csv")
w(do.call(rbind, rt), "gd_risk_ttest.csv")

# ---- ecological detector: the package's q-ratio flags; the SSW-ratio F (Wang et al. 2010)
#      from lm residual sums of squares and pf ----
ec <- ecological_detector("incidence", fac, d)[[1]]
erows <- list()
n <- nrow(d)
ssw <- sapply(fac, function(f) anova(lm(d$incidence ~ factor(d[[f]])))[["Sum Sq"]][2])
for (k in seq_len(nrow(pairs))) {
  a <- pairs[k, 1]; b <- pairs[k, 2]
  F <- ssw[[a]] / ssw[[b]]
  erows[[k]] <- data.frame(a = a, b = b, F = fmt(F),
                           p = fmt(pf(max(F, 1 / F), n - 1, n - 1, lower.tail = FALSE)),
                           qratio_sig = as.character(ec[a, b]))
}
w(do.call(rbind, erows), "gd_ecological.csv")

# ---- discretisation (GD's disc) and natural breaks (classInt jenks) ----
brows <- list()
add <- function(var, method, k, br) brows[[length(brows) + 1]] <<-
  data.frame(var = var, method = method, k = k, breaks = paste(fmt(br), collapse = ";"))
for (v in c("Tempchange", "Precipitation", "GDP", "Popdensity")) {
  x <- nd[[v]]
  for (k in 3:7) {
    add(v, "equal", k, disc(x, k, "equal")$itv)
    add(v, "quantile", k, disc(x, k, "quantile")$itv)
    add(v, "sd", k, disc(x, k, "sd")$itv)
    # GD's geometric rule gives k - 1 classes for non-negative data (disc(x, k)), k classes
    # when x has both signs; agglo's geometric:k gives k classes in both cases
    add(v, "geometric", k, disc(x, if (min(x) >= 0) k + 1 else k, "geometric")$itv)
    add(v, "natural", k, classIntervals(x, k, style = "jenks")$brks)
  }
}
w(do.call(rbind, brows), "disc_breaks.csv")

# ---- optimal discretisation (GD's optidisc; natural needs BAMMtools, not installed, and
#      geometric differs by one class for non-negative data, so the methods compared are
#      equal, quantile, sd, and geometric for Tempchange which has both signs) ----
orows <- list()
for (v in c("Tempchange", "Precipitation")) {
  meth <- if (v == "Tempchange") c("equal", "quantile", "geometric", "sd") else
    c("equal", "quantile", "sd")
  o <- optidisc(as.formula(paste("NDVIchange ~", v)), nd, meth, 3:7)[[1]]
  print(o$qv.matrix)
  qbest <- max(o$qv.matrix, na.rm = TRUE)
  orows[[length(orows) + 1]] <- data.frame(var = v, methods = paste(meth, collapse = ";"),
                                           method = o$method, k = o$n.itv, q = fmt(qbest),
                                           breaks = paste(fmt(o$itv), collapse = ";"))
}
w(do.call(rbind, orows), "disc_optimal.csv")
cat("done\n")
