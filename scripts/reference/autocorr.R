# Reference values for the autocorrelation tests (tests/unit/test_autocorr.c).
# R 4.2 + spdep 1.2-7 + sf. Run from the repository root:
#   Rscript scripts/reference/autocorr.R
# Writes tests/data/reference/autocorr/:
#   <set>_nb.csv      neighbour pairs i,j (1-based feature order) the tests build weights from
#   global.csv        set,var,style,test,field,value (moran.test, geary.test, globalG.test, EB)
# (the bivariate Moran and the conditional-permutation Gi / Gi* references come from PySAL esda:
# scripts/reference/autocorr_esda.py, run after this script)
#   <set>_<var>_local.csv  localmoran (conditional=TRUE and FALSE), localG (Gi, Gi*)
suppressMessages({library(sf); library(spdep)})
out <- "tests/data/reference/autocorr"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
fmt <- function(v) formatC(v, digits = 17, format = "g")

sets <- list(
  columbus = list(file = "tests/data/columbus/columbus.shp", nb = "queen",
                  vars = c("CRIME", "INC", "HOVAL")),
  nc = list(file = "tests/data/nc/nc.shp", nb = "queen", vars = c("BIR74", "SIDR74")),
  ny8 = list(file = "tests/data/ny8/NY8_utm18.shp", nb = "queen", vars = c("PCTOWNHOME", "Cases")),
  baltim = list(file = "tests/data/baltim/baltim.shp", nb = "knn4", vars = c("PRICE", "SQFT"))
)

glob <- list()
add <- function(set, var, style, test, field, value)
  glob[[length(glob) + 1]] <<- data.frame(set = set, var = var, style = style, test = test,
                                          field = field, value = fmt(value))
for (s in names(sets)) {
  d <- sets[[s]]
  a <- st_read(d$file, quiet = TRUE)
  if (s == "nc") a$SIDR74 <- 1000 * a$SID74 / a$BIR74
  nb <- if (d$nb == "queen") poly2nb(a, queen = TRUE) else
        knn2nb(knearneigh(st_coordinates(a), k = 4))
  pairs <- do.call(rbind, lapply(seq_along(nb), function(i)
    if (nb[[i]][1] == 0) NULL else data.frame(i = i, j = nb[[i]])))
  write.csv(pairs, file.path(out, paste0(s, "_nb.csv")), row.names = FALSE, quote = FALSE)
  for (style in c("W", "B")) {
    lw <- nb2listw(nb, style = style, zero.policy = TRUE)
    for (v in d$vars) {
      x <- a[[v]]
      for (rnd in c(TRUE, FALSE)) {
        m <- moran.test(x, lw, randomisation = rnd, alternative = "two.sided", zero.policy = TRUE)
        tn <- if (rnd) "moran_rand" else "moran_norm"
        add(s, v, style, tn, "I", m$estimate[1]); add(s, v, style, tn, "EI", m$estimate[2])
        add(s, v, style, tn, "VI", m$estimate[3]); add(s, v, style, tn, "Z", m$statistic)
        add(s, v, style, tn, "P", m$p.value)
        g <- geary.test(x, lw, randomisation = rnd, alternative = "two.sided", zero.policy = TRUE)
        tn <- if (rnd) "geary_rand" else "geary_norm"
        add(s, v, style, tn, "C", g$estimate[1]); add(s, v, style, tn, "VC", g$estimate[3])
        add(s, v, style, tn, "Z", g$statistic); add(s, v, style, tn, "P", g$p.value)
      }
      if (all(x >= 0)) {
        G <- globalG.test(x, lw, alternative = "two.sided", zero.policy = TRUE)
        add(s, v, style, "globalG", "G", G$estimate[1]); add(s, v, style, "globalG", "EG", G$estimate[2])
        add(s, v, style, "globalG", "VG", G$estimate[3]); add(s, v, style, "globalG", "Z", G$statistic)
        add(s, v, style, "globalG", "P", G$p.value)
      }
      if (style == "W") {
        lm1 <- localmoran(x, lw, zero.policy = TRUE)
        lm0 <- localmoran(x, lw, conditional = FALSE, zero.policy = TRUE)
        gi <- as.numeric(localG(x, lw, zero.policy = TRUE))
        nbs <- include.self(nb)
        gs <- as.numeric(localG(x, nb2listw(nbs, style = "W", zero.policy = TRUE), zero.policy = TRUE))
        gsb <- as.numeric(localG(x, nb2listw(nbs, style = "B", zero.policy = TRUE), zero.policy = TRUE))
        q <- as.integer(attr(lm1, "quadr")$pysal)  # Low-Low 1, High-Low 2, Low-High 3, High-High 4
        loc <- data.frame(i = seq_along(x), Ii = fmt(lm1[, 1]), E = fmt(lm1[, 2]), V = fmt(lm1[, 3]),
                          Z = fmt(lm1[, 4]), P = fmt(lm1[, 5]), E0 = fmt(lm0[, 2]), V0 = fmt(lm0[, 3]),
                          Z0 = fmt(lm0[, 4]), Gi = fmt(gi), GiStarW = fmt(gs), GiStarB = fmt(gsb),
                          quadr = q,
                          Pfdr = fmt(p.adjust(lm1[, 5], "BH")), Pbonf = fmt(p.adjust(lm1[, 5], "bonferroni")))
        write.csv(loc, file.path(out, paste0(s, "_", v, "_local.csv")), row.names = FALSE, quote = FALSE)
      }
    }
  }
  if (s == "nc") {
    lw <- nb2listw(nb, style = "W")
    set.seed(1)
    e <- suppressMessages(EBImoran.mc(a$SID74, a$BIR74, lw, nsim = 99))
    add(s, "SID74/BIR74", "W", "ebmoran", "I", e$statistic)
    ebz <- data.frame(i = seq_along(e$z), z = fmt(e$z))
    write.csv(ebz, file.path(out, "nc_eb_z.csv"), row.names = FALSE, quote = FALSE)
  }
}
write.csv(do.call(rbind, glob), file.path(out, "global.csv"), row.names = FALSE, quote = FALSE)
# Permutation reference: spdep moran.mc (alternative = "greater") with 99,999 permutations;
# agglo's pseudo p must agree within the combined Monte Carlo error.
mc <- list()
for (sv in list(c("columbus", "HOVAL"), c("nc", "BIR74"), c("ny8", "PCTOWNHOME"))) {
  a <- st_read(sets[[sv[1]]]$file, quiet = TRUE)
  lw <- nb2listw(poly2nb(a, queen = TRUE), style = "W")
  set.seed(20240601)
  m <- moran.mc(a[[sv[2]]], lw, nsim = 99999, alternative = "greater")
  mc[[length(mc) + 1]] <- data.frame(set = sv[1], var = sv[2], nsim = 99999,
                                     p_greater = fmt(m$p.value), I = fmt(m$statistic),
                                     mean = fmt(mean(m$res[1:99999])), sd = fmt(sd(m$res[1:99999])))
}
write.csv(do.call(rbind, mc), file.path(out, "moran_mc.csv"), row.names = FALSE, quote = FALSE)
# Islands: columbus queen with observation 1's links removed (zero.policy = TRUE, spdep's
# adjust.n = TRUE default), W style. Written as columbus_island_nb.csv + island.csv.
a <- st_read(sets$columbus$file, quiet = TRUE)
nb <- poly2nb(a, queen = TRUE)
for (j in nb[[1]]) nb[[j]] <- { r <- setdiff(nb[[j]], 1L); if (length(r)) r else 0L }
nb[[1]] <- 0L
pairs <- do.call(rbind, lapply(seq_along(nb), function(i)
  if (nb[[i]][1] == 0) NULL else data.frame(i = i, j = nb[[i]])))
write.csv(pairs, file.path(out, "columbus_island_nb.csv"), row.names = FALSE, quote = FALSE)
lw <- nb2listw(nb, style = "W", zero.policy = TRUE)
isl <- list()
for (v in c("CRIME", "HOVAL")) {
  x <- a[[v]]
  m <- moran.test(x, lw, alternative = "two.sided", zero.policy = TRUE)
  g <- geary.test(x, lw, alternative = "two.sided", zero.policy = TRUE)
  G <- globalG.test(x, lw, alternative = "two.sided", zero.policy = TRUE)
  lm1 <- localmoran(x, lw, zero.policy = TRUE)
  isl[[length(isl) + 1]] <- data.frame(var = v,
    field = c("I", "VI", "Z", "C", "VC", "GZ", "Ii2", "Zi2", "Ii1"),
    value = fmt(c(m$estimate[1], m$estimate[3], m$statistic, g$estimate[1], g$estimate[3],
                  G$statistic, lm1[2, 1], lm1[2, 4], lm1[1, 1])))
}
write.csv(do.call(rbind, isl), file.path(out, "island.csv"), row.names = FALSE, quote = FALSE)
# ---- nb2listw styles U and minmax (added with the other styles for comparison): moran.test
# (randomisation and normality) and geary.test under styles W, B, C, S, U and minmax on the
# queen weights of columbus and nc, and on columbus with an island (zero.policy = TRUE).
# Written as styles.csv (set,var,style,test,field,value); set "columbus_island" uses
# columbus_island_nb.csv.
sty <- list()
adds <- function(set, var, style, test, field, value)
  sty[[length(sty) + 1]] <<- data.frame(set = set, var = var, style = style, test = test,
                                        field = field, value = fmt(value))
nbsets <- list(columbus = "columbus", nc = "nc", columbus_island = "columbus")
for (ns in names(nbsets)) {
  a <- st_read(sets[[nbsets[[ns]]]]$file, quiet = TRUE)
  if (ns == "nc") a$SIDR74 <- 1000 * a$SID74 / a$BIR74
  nb <- poly2nb(a, queen = TRUE)
  if (ns == "columbus_island") {
    for (j in nb[[1]]) nb[[j]] <- { r <- setdiff(nb[[j]], 1L); if (length(r)) r else 0L }
    nb[[1]] <- 0L
  }
  vars <- if (ns == "nc") c("BIR74", "SIDR74") else c("CRIME", "HOVAL")
  for (st in c("W", "B", "C", "S", "U", "minmax")) {
    lw <- nb2listw(nb, style = st, zero.policy = TRUE)
    for (v in vars) {
      x <- a[[v]]
      for (rnd in c(TRUE, FALSE)) {
        m <- moran.test(x, lw, randomisation = rnd, alternative = "two.sided", zero.policy = TRUE)
        tn <- if (rnd) "moran_rand" else "moran_norm"
        adds(ns, v, st, tn, "I", m$estimate[1]); adds(ns, v, st, tn, "EI", m$estimate[2])
        adds(ns, v, st, tn, "VI", m$estimate[3]); adds(ns, v, st, tn, "Z", m$statistic)
        adds(ns, v, st, tn, "P", m$p.value)
      }
      g <- geary.test(x, lw, randomisation = TRUE, alternative = "two.sided", zero.policy = TRUE)
      adds(ns, v, st, "geary_rand", "C", g$estimate[1]); adds(ns, v, st, "geary_rand", "VC", g$estimate[3])
      adds(ns, v, st, "geary_rand", "Z", g$statistic)
    }
  }
}
write.csv(do.call(rbind, sty), file.path(out, "styles.csv"), row.names = FALSE, quote = FALSE)

# ---- conditional permutation inference for local Gi / Gi* (agglo hotspot --permutations).
# localG_perm.csv, one row per set, variable, statistic (Gi, GiStar) and region i:
#   G                    the Gi ratio (spdep internals "Gi")
#   spdep_E, spdep_V, spdep_p   spdep 1.2-7 localG_perm(nsim = 99999): E.Gi, Var.Gi and
#                        "Pr(folded) Sim". NB this spdep draws the neighbour values WITH
#                        replacement from the n-1 others (sample(..., replace = TRUE)) and,
#                        for Gi*, also replaces the region's own (diagonal) value; its folded p
#                        counts ties only in the upper tail (min(#>=, nsim - #>=)).
# The without-replacement conditional permutation agglo and esda's G_Local use is referenced
# by esda itself (localG_esda.csv, scripts/reference/autocorr_esda.py).
# Weights: queen, style W (columbus CRIME, nc SIDR74, nc BIR74) or B (columbus HOVAL);
# Gi* adds the diagonal (include.self) before the style, as agglo hotspot.
nsim_spdep <- 99999
lgp <- list()
for (sv in list(c("columbus", "CRIME", "W"), c("columbus", "HOVAL", "B"), c("nc", "SIDR74", "W"),
                c("nc", "BIR74", "W"))) {
  a <- st_read(sets[[sv[1]]]$file, quiet = TRUE)
  if (sv[1] == "nc") a$SIDR74 <- 1000 * a$SID74 / a$BIR74
  x <- a[[sv[2]]]
  nb <- poly2nb(a, queen = TRUE)
  for (kind in c("Gi", "GiStar")) {
    lw <- nb2listw(if (kind == "Gi") nb else include.self(nb), style = sv[3])
    set.seed(20240602)
    g <- attr(localG_perm(x, lw, nsim = nsim_spdep), "internals")
    lgp[[length(lgp) + 1]] <- data.frame(set = sv[1], var = sv[2], style = sv[3], stat = kind,
      i = seq_along(x), G = fmt(g[, "Gi"]), spdep_E = fmt(g[, "E.Gi"]), spdep_V = fmt(g[, "Var.Gi"]),
      spdep_p = fmt(g[, "Pr(folded) Sim"]), nsim_spdep = nsim_spdep)
  }
}
write.csv(do.call(rbind, lgp), file.path(out, "localG_perm.csv"), row.names = FALSE, quote = FALSE)
