# Reference values for join counts and local Geary (tests/unit/test_esda2.c, tests/cli/esda2.sh).
# R 4.2 + spdep 1.2-7 + sf. Run from the repository root:
#   Rscript scripts/reference/esda2.R
# (then scripts/reference/esda2.py for the PySAL esda / inequality values)
# Neighbours: spdep poly2nb(queen = TRUE) of columbus and nc, as written by
# scripts/reference/autocorr.R (tests/data/reference/autocorr/<set>_nb.csv).
# Writes tests/data/reference/esda2/:
#   nc_jc_levels.csv  FIPS,level: the 4-level factor of nc used below (quartile class of
#                     SIDR74 = 1000 SID74 / BIR74, cut at its quantiles, levels 1..4)
#   joincount.csv     set,var,style,row,field,value: joincount.test (same colour, non-free
#                     sampling, alternative "greater") and joincount.multi (every row,
#                     "a:b" with spdep's level order, and "Jtot")
#   localC.csv        set,vars,i,Ci,E_sim,cluster: localC (statistic), localC_perm (nsim 99999,
#                     iseed 1) simulation mean E.Ci and its "cluster" attribute
# and, for point patterns in polygonal windows (spatstat 3.0-3):
#   win_<case>_points.csv  x,y of a uniform pattern in the window (runifpoint, seeded)
#   win_lhole_rings.csv    ring,hole,x,y: an L-shaped polygon with a square hole
#   win_<case>.csv         field,value: area, perimeter (spatstat area/perimeter of the owin),
#                          Clark-Evans R, z, p (clarkevans.test, correction "none"), Kest's
#                          default rmax
#   win_<case>_K.csv       r,border,iso: Kest(correction = c("border", "isotropic")) on
#                          r = seq(0, rmax, length = 513)
#   win_lhole_density_edge.txt  density(X, sigma = 0.8, dimyx = c(100, 100), edge = TRUE) of
#                          the lhole pattern in its window (rows from the top, NA outside)
#   cases: lhole (the L with a hole) and nc (the union of the nc counties in EPSG:32119,
#   sf::st_union of st_transform(nc, 32119), as.owin)
suppressMessages({library(sf); library(spdep); library(spatstat)})
out <- "tests/data/reference/esda2"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
fmt <- function(v) trimws(formatC(v, digits = 17, format = "g"))
nb_of <- function(set, n) {
  p <- read.csv(file.path("tests/data/reference/autocorr", paste0(set, "_nb.csv")))
  nb <- lapply(seq_len(n), function(i) { j <- sort(p$j[p$i == i]); if (length(j)) as.integer(j) else 0L })
  class(nb) <- "nb"
  attr(nb, "region.id") <- as.character(seq_len(n))
  nb
}
col <- st_read("tests/data/columbus/columbus.shp", quiet = TRUE)
nc <- st_read("tests/data/nc/nc.shp", quiet = TRUE)
nc$SIDR74 <- 1000 * nc$SID74 / nc$BIR74
nbc <- nb_of("columbus", nrow(col))
nbn <- nb_of("nc", nrow(nc))
q <- quantile(nc$SIDR74, c(0.25, 0.5, 0.75))
nc$JC4 <- findInterval(nc$SIDR74, q, left.open = TRUE) + 1L
write.csv(data.frame(FIPS = nc$FIPS, level = nc$JC4), file.path(out, "nc_jc_levels.csv"),
          row.names = FALSE, quote = FALSE)

rows <- list()
add <- function(set, var, style, row, field, value)
  rows[[length(rows) + 1]] <<- data.frame(set = set, var = var, style = style, row = row,
                                          field = field, value = fmt(value))
jc <- function(set, var, f, nb, style) {
  lw <- nb2listw(nb, style = style)
  t <- joincount.test(f, lw)
  for (k in seq_along(t)) {
    lev <- levels(f)[k]
    add(set, var, style, paste0(lev, ":", lev), "test_joins", t[[k]]$estimate[1])
    add(set, var, style, paste0(lev, ":", lev), "test_E", t[[k]]$estimate[2])
    add(set, var, style, paste0(lev, ":", lev), "test_V", t[[k]]$estimate[3])
    add(set, var, style, paste0(lev, ":", lev), "test_z", t[[k]]$statistic)
    add(set, var, style, paste0(lev, ":", lev), "test_p", t[[k]]$p.value)
  }
  m <- joincount.multi(f, lw)
  for (r in rownames(m)) {
    add(set, var, style, r, "joins", m[r, 1]); add(set, var, style, r, "E", m[r, 2])
    add(set, var, style, r, "V", m[r, 3]); add(set, var, style, r, "z", m[r, 4])
  }
}
for (st in c("B", "W")) {
  jc("columbus", "CP", factor(col$CP), nbc, st)
  jc("nc", "JC4", factor(nc$JC4), nbn, st)
}
write.csv(do.call(rbind, rows), file.path(out, "joincount.csv"), row.names = FALSE, quote = FALSE)

lc <- list()
addc <- function(set, vars, x, nb) {
  lw <- nb2listw(nb, style = "W")
  c0 <- if (is.matrix(x)) localC(x, lw) else localC(x, lw)
  cp <- localC_perm(x, lw, nsim = 99999, iseed = 1)
  cl <- attr(cp, "cluster")
  lc[[length(lc) + 1]] <<- data.frame(set = set, vars = vars, i = seq_along(c0), Ci = fmt(c0),
                                      E_sim = fmt(attr(cp, "pseudo-p")[, 1]),
                                      cluster = as.character(cl))
}
addc("columbus", "CRIME", col$CRIME, nbc)
addc("columbus", "CRIME+INC+HOVAL", as.matrix(st_drop_geometry(col)[, c("CRIME", "INC", "HOVAL")]), nbc)
addc("nc", "SIDR74", nc$SIDR74, nbn)
write.csv(do.call(rbind, lc), file.path(out, "localC.csv"), row.names = FALSE, quote = FALSE)

win_case <- function(name, W, npts, seed) {
  set.seed(seed)
  X <- runifpoint(npts, W)
  write.csv(data.frame(x = fmt(X$x), y = fmt(X$y)), file.path(out, paste0("win_", name, "_points.csv")),
            row.names = FALSE, quote = FALSE)
  t <- suppressWarnings(clarkevans.test(X, correction = "none"))
  K0 <- Kest(X, correction = "border")
  rmax <- max(K0$r)
  K <- Kest(X, r = seq(0, rmax, length.out = 513), correction = c("border", "isotropic"))
  write.csv(data.frame(field = c("area", "perimeter", "R", "z", "p", "rmax"),
                       value = fmt(c(area(W), perimeter(W), t$statistic, qnorm(1 - t$p.value / 2) * sign(t$statistic - 1),
                                     t$p.value, rmax))),
            file.path(out, paste0("win_", name, ".csv")), row.names = FALSE, quote = FALSE)
  write.csv(data.frame(r = fmt(K$r), border = fmt(K$border), iso = fmt(K$iso)),
            file.path(out, paste0("win_", name, "_K.csv")), row.names = FALSE, quote = FALSE)
}
ring <- list(list(x = c(0, 10, 10, 4, 4, 0), y = c(0, 0, 4, 4, 10, 10)),
             list(x = c(1, 1, 2.5, 2.5), y = c(1, 2.5, 2.5, 1)))
write.csv(rbind(data.frame(ring = 1, hole = 0, x = ring[[1]]$x, y = ring[[1]]$y),
                data.frame(ring = 2, hole = 1, x = ring[[2]]$x, y = ring[[2]]$y)),
          file.path(out, "win_lhole_rings.csv"), row.names = FALSE, quote = FALSE)
win_case("lhole", owin(poly = ring), 80, 20261201)
set.seed(20261201)
Xl <- runifpoint(80, owin(poly = ring)) # the same pattern as win_lhole_points.csv
D <- density(Xl, sigma = 0.8, dimyx = c(100, 100), edge = TRUE)
write.table(format(D$v[nrow(D$v):1, ], digits = 17), file.path(out, "win_lhole_density_edge.txt"),
            row.names = FALSE, col.names = FALSE, quote = FALSE)
ncu <- st_union(st_transform(nc, 32119))
win_case("nc", as.owin(ncu), 300, 20261202)
