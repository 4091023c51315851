#!/usr/bin/env Rscript
# Generates the bundled sample data in sample_shapes/ (see sample_shapes/README.md).
#
#   Rscript scripts/make_sample_shapes.R [OUTDIR]     (default: sample_shapes next to scripts/)
#
# Everything is synthetic and seeded (SEED below): rerunning gives the same values (and the
# same bytes apart from what GDAL stamps itself; the .dbf date and the GeoPackage timestamps are
# pinned to 2024-01-01 so those are byte-identical too on the same GDAL version).
# Needs R with sf (GDAL >= 3.1, GEOS) and spdep (only for the sanity check at the end).
suppressPackageStartupMessages({
    library(sf)
})

SEED <- 20241123L
args <- commandArgs(trailingOnly = TRUE)
script_dir <- local({
    f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
    if (length(f)) dirname(normalizePath(f[1])) else getwd()
})
outdir <- if (length(args) >= 1) args[1] else file.path(dirname(script_dir), "sample_shapes")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(SEED)
suppressMessages(sf_use_s2(FALSE))     # Voronoi and clipping in plain lon/lat (planar) space
# sf then notes on every predicate that lon/lat is treated as planar: intended here.
quiet <- function(expr) suppressWarnings(suppressMessages(expr))
Sys.setenv(OGR_CURRENT_DATE = "2024-01-01T00:00:00Z")   # reproducible GeoPackage timestamps

## ---- Study area: central Zhejiang (Jinhua prefecture: Yiwu, Dongyang, Yongkang, ...) ------
xmin <- 119.3; xmax <- 120.7; ymin <- 28.7; ymax <- 29.7
box <- st_polygon(list(rbind(c(xmin, ymin), c(xmax, ymin), c(xmax, ymax), c(xmin, ymax),
                             c(xmin, ymin))))
box_sfc <- st_sfc(box, crs = 4326)

# County seats (approximate real positions) and their county-level codes (GB/T 2260).
counties_ref <- data.frame(
    county = c("婺城区", "金东区", "武义县", "浦江县", "磐安县", "兰溪市", "义乌市", "东阳市", "永康市"),
    ccode  = c("330702", "330703", "330723", "330726", "330727", "330781", "330782", "330783", "330784"),
    lon    = c(119.65, 119.78, 119.82, 119.89, 120.45, 119.46, 120.07, 120.24, 120.05),
    lat    = c(29.08, 29.10, 28.89, 29.45, 29.05, 29.21, 29.31, 29.29, 28.89),
    stringsAsFactors = FALSE)

# E-commerce ("Taobao village") cluster centres: where shops concentrate. Weight = share of
# clustered shops, sd = spread of the cluster in km, cat = the cluster's dominant trade.
centres <- data.frame(
    name  = c("Yiwu", "Jinhua", "Yongkang", "Dongyang", "Pujiang", "Wuyi", "Lanxi"),
    lon   = c(120.075, 119.650, 120.040, 120.235, 119.890, 119.815, 119.470),
    lat   = c(29.305, 29.085, 28.895, 29.285, 29.455, 28.890, 29.210),
    wt    = c(0.40, 0.16, 0.13, 0.11, 0.09, 0.06, 0.05),
    sd_km = c(4.5, 3.5, 3.0, 3.0, 2.5, 2.0, 2.0),
    cat   = c("small_commodities", "food", "hardware", "furniture", "crystal", "outdoor", "textiles"),
    stringsAsFactors = FALSE)

km_lon <- 111.32 * cos(29.2 * pi / 180)   # km per degree of longitude at this latitude
km_lat <- 110.57                          # km per degree of latitude
dist_km <- function(lon, lat, clon, clat)
    sqrt(((lon - clon) * km_lon)^2 + ((lat - clat) * km_lat)^2)
# Nearness to the nearest centre, weighted by its size: 1 at a big centre, ~0 far away.
urban_index <- function(lon, lat) {
    v <- sapply(seq_len(nrow(centres)), function(k)
        (centres$wt[k] / max(centres$wt))^0.35 *
            exp(-dist_km(lon, lat, centres$lon[k], centres$lat[k]) / 12))
    if (is.matrix(v)) apply(v, 1, max) else max(v)
}

## ---- Township seeds: denser near the centres (small urban subdistricts) -------------------
n_cells <- 200L
n_urban <- 70L
seeds_u <- local({
    k <- sample(nrow(centres), n_urban, replace = TRUE, prob = centres$wt)
    cbind(centres$lon[k] + rnorm(n_urban, 0, 6 / km_lon),
          centres$lat[k] + rnorm(n_urban, 0, 6 / km_lat))
})
seeds_r <- cbind(runif(n_cells - n_urban, xmin, xmax), runif(n_cells - n_urban, ymin, ymax))
seeds <- rbind(seeds_u, seeds_r)
inside <- seeds[, 1] > xmin + 0.005 & seeds[, 1] < xmax - 0.005 &
          seeds[, 2] > ymin + 0.005 & seeds[, 2] < ymax - 0.005
seeds <- seeds[inside, , drop = FALSE]
# Thin seeds closer than ~1.2 km so no cell is a sliver.
keep <- rep(TRUE, nrow(seeds))
for (i in seq_len(nrow(seeds))) if (keep[i]) {
    d <- dist_km(seeds[, 1], seeds[, 2], seeds[i, 1], seeds[i, 2])
    drop <- which(d < 1.2 & seq_along(d) > i)
    keep[drop] <- FALSE
}
seeds <- seeds[keep, , drop = FALSE]
seeds <- round(seeds, 6)

## ---- Voronoi tessellation clipped to the box ----------------------------------------------
mp <- st_sfc(st_multipoint(seeds), crs = 4326)
vor <- quiet(st_collection_extract(st_voronoi(mp, envelope = box_sfc), "POLYGON"))
cells <- quiet(st_intersection(vor, box_sfc))
cells <- st_cast(cells, "POLYGON")
# Order cells by their seed (st_voronoi does not keep the input order).
seed_pts <- st_sfc(lapply(seq_len(nrow(seeds)), function(i) st_point(seeds[i, ])), crs = 4326)
owner <- unlist(quiet(st_intersects(seed_pts, cells)))
stopifnot(length(owner) == nrow(seeds), !anyDuplicated(owner))
cells <- cells[owner]
# Sort north-west to south-east (row-major on a coarse grid) for stable, readable codes.
cen <- st_coordinates(quiet(st_centroid(cells)))
ord <- order(-round(cen[, 2] / 0.1), cen[, 1])
cells <- cells[ord]
cen <- cen[ord, ]
n <- length(cells)
stopifnot(all(st_is_valid(cells)))

## ---- Attributes ------------------------------------------------------------------------
# Township belongs to the county whose seat is nearest to its centroid.
near_cty <- apply(cen, 1, function(p) which.min(dist_km(counties_ref$lon, counties_ref$lat, p[1], p[2])))
urb <- urban_index(cen[, 1], cen[, 2])

# Area in km2, measured in UTM zone 50N (EPSG:32650).
area_km2 <- as.numeric(st_area(st_transform(cells, 32650))) / 1e6

# Population density (persons/km2): ~150 in the hills up to ~3000 in the urban cores.
dens <- exp(log(150) + urb * log(3000 / 150) + rnorm(n, 0, 0.25))
pop <- as.integer(round(pmax(dens * area_km2, 3000)))
# Share of internet users: 45% rural to ~88% urban, with noise.
net_share <- pmin(0.95, 0.45 + 0.43 * urb + rnorm(n, 0, 0.04))
internet <- as.integer(round(pop * net_share))
# Road density (km of road per km2): 0.6 rural to ~7 urban.
roads <- round(exp(log(0.6) + urb * log(7 / 0.6) + rnorm(n, 0, 0.2)), 3)

# Names: two characters from a list of common place-name characters + 街道/镇/乡.
chars1 <- strsplit("东西南北上下大小新老石山溪湖江桥塘岭岩田坑源龙凤金华城安平和兴福青白黄马杨柳梅桃竹松云仙苏岱佛赤畈后前横浦", "")[[1]]
chars2 <- strsplit("店街口头村阳塘桥山溪岭坞源田宅洋川湾埠园林庄坦溪桥坑门潭亭垄", "")[[1]]
suffix <- ifelse(urb > 0.55, "街道", ifelse(urb > 0.2, "镇", "乡"))
nm <- character(n)
used <- character(0)
for (i in seq_len(n)) {
    repeat {
        cand <- paste0(sample(chars1, 1), sample(chars2, 1))
        if (substr(cand, 1, 1) != substr(cand, 2, 2) && !(cand %in% used)) break
    }
    used <- c(used, cand)
    nm[i] <- paste0(cand, suffix[i])
}
# Codes: county code + 3-digit township serial (001, 002, ... within the county; 0xx for
# subdistricts 街道, 1xx for towns 镇, 2xx for townships 乡, as in the real scheme).
code <- character(n)
for (c in unique(near_cty)) {
    for (kind in c("街道", "镇", "乡")) {
        idx <- which(near_cty == c & suffix == kind)
        base <- c("街道" = 0L, "镇" = 100L, "乡" = 200L)[[kind]]
        code[idx] <- sprintf("%s%03d", counties_ref$ccode[c], base + seq_along(idx))
    }
}
stopifnot(!anyDuplicated(code), !anyDuplicated(nm))

counties <- st_sf(
    code = code,
    name = nm,
    county = counties_ref$county[near_cty],
    pop = pop,
    internet = internet,
    roads = roads,
    area_km2 = round(area_km2, 3),
    geometry = cells)

## ---- Shops: clustered point process (Thomas-like) over a sparse background -------------
n_shops <- 20000L
n_bg <- as.integer(round(0.12 * n_shops))
n_cl <- n_shops - n_bg
cats_all <- c("small_commodities", "apparel", "food", "hardware", "furniture", "crystal",
              "outdoor", "textiles", "electronics", "toys", "cosmetics")
gen_cluster <- function(m) {
    k <- sample(nrow(centres), m, replace = TRUE, prob = centres$wt)
    # Thomas process: each cluster is a few sub-villages (offspring around parents).
    sub <- lapply(seq_len(nrow(centres)), function(j) {
        np <- 6L
        cbind(centres$lon[j] + rnorm(np, 0, centres$sd_km[j] / km_lon),
              centres$lat[j] + rnorm(np, 0, centres$sd_km[j] / km_lat))
    })
    p <- sample.int(6L, m, replace = TRUE)
    lon <- numeric(m); lat <- numeric(m)
    for (i in seq_len(m)) {
        par <- sub[[k[i]]][p[i], ]
        lon[i] <- par[1] + rnorm(1, 0, 0.9 / km_lon)
        lat[i] <- par[2] + rnorm(1, 0, 0.9 / km_lat)
    }
    data.frame(lon = lon, lat = lat, cl = k)
}
cl <- gen_cluster(n_cl)
# Redraw points that fall outside the study area (keeps the total at n_shops).
repeat {
    out <- cl$lon <= xmin | cl$lon >= xmax | cl$lat <= ymin | cl$lat >= ymax
    if (!any(out)) break
    cl[out, ] <- gen_cluster(sum(out))
}
bg <- data.frame(lon = runif(n_bg, xmin + 1e-4, xmax - 1e-4),
                 lat = runif(n_bg, ymin + 1e-4, ymax - 1e-4), cl = 0L)
shops <- rbind(cl, bg)
shops <- shops[order(shops$cl == 0, runif(nrow(shops))), ]   # clustered first, then shuffled
shops$lon <- round(shops$lon, 6)
shops$lat <- round(shops$lat, 6)
m <- nrow(shops)
# Category: the cluster's specialty with probability 0.6, else any category.
spec <- ifelse(shops$cl > 0, centres$cat[pmax(shops$cl, 1)], NA)
rand_cat <- sample(cats_all, m, replace = TRUE,
                   prob = c(.16, .18, .12, .1, .08, .04, .06, .08, .08, .05, .05))
shops$category <- ifelse(!is.na(spec) & runif(m) < 0.6, spec, rand_cat)
# Sales (10k CNY per year): lognormal, higher in the big clusters.
clwt <- ifelse(shops$cl > 0, centres$wt[pmax(shops$cl, 1)], 0)
shops$sales <- round(exp(rnorm(m, 3.2 + 1.5 * clwt, 1.1)), 2)
# Year opened 2009-2024: the big clusters started earlier (Yiwu's first Taobao villages).
start <- ifelse(shops$cl == 1, 2009, ifelse(shops$cl > 0, 2011, 2013))
yrs <- start + floor((2025 - start) * rbeta(m, 2.2, 1.4))
shops$year_opened <- as.integer(pmin(2024, pmax(2009, yrs)))
shops$shop_id <- sprintf("S%05d", seq_len(m))
shops <- shops[, c("shop_id", "lon", "lat", "sales", "year_opened", "category")]

## ---- Write --------------------------------------------------------------------------
rm_layer <- function(stem) {
    for (ext in c("shp", "shx", "dbf", "prj", "cpg", "gpkg"))
        unlink(file.path(outdir, paste0(stem, ".", ext)))
}
# Pin the DBF "last update" date (bytes 1-3) so reruns are byte-identical.
pin_dbf_date <- function(path) {
    con <- file(path, "r+b")
    seek(con, 1, rw = "write")
    writeBin(as.raw(c(124L, 1L, 1L)), con)   # 2024-01-01
    close(con)
}

rm_layer("counties")
st_write(counties, file.path(outdir, "counties.shp"), quiet = TRUE,
         layer_options = "ENCODING=UTF-8")
pin_dbf_date(file.path(outdir, "counties.dbf"))

rm_layer("counties_gbk")
st_write(counties, file.path(outdir, "counties_gbk.shp"), quiet = TRUE,
         layer_options = "ENCODING=GBK")
pin_dbf_date(file.path(outdir, "counties_gbk.dbf"))
writeLines("GBK", file.path(outdir, "counties_gbk.cpg"))   # GDAL writes "936"; spell it out

rm_layer("counties_utm")
st_write(st_transform(counties, 32650), file.path(outdir, "counties_utm.gpkg"),
         layer = "counties_utm", quiet = TRUE)

fmt <- data.frame(shop_id = shops$shop_id,
                  lon = sprintf("%.6f", shops$lon), lat = sprintf("%.6f", shops$lat),
                  sales = sprintf("%.2f", shops$sales), year_opened = shops$year_opened,
                  category = shops$category)
write.csv(fmt, file.path(outdir, "shops.csv"), row.names = FALSE, quote = FALSE)
# Column types for GDAL's CSV driver (read automatically beside shops.csv).
writeLines('"String","Real","Real","Real","Integer","String"', file.path(outdir, "shops.csvt"))

rm_layer("shops")
shops_sf <- st_as_sf(shops, coords = c("lon", "lat"), crs = 4326)   # lon/lat in the geometry
st_write(shops_sf, file.path(outdir, "shops.gpkg"), layer = "shops", quiet = TRUE)

## ---- Sanity checks (fail loudly rather than ship bad sample data) ----------------------
back <- st_read(file.path(outdir, "counties.shp"), quiet = TRUE)
gbk <- st_read(file.path(outdir, "counties_gbk.shp"), quiet = TRUE,
               options = "ENCODING=CP936")
stopifnot(identical(back$name, counties$name), identical(gbk$name, counties$name),
          all(st_is_valid(back)), nrow(back) == n)
inside <- quiet(st_intersects(shops_sf, back))
stopifnot(all(lengths(inside) == 1))
if (requireNamespace("spdep", quietly = TRUE)) {
    nbq <- quiet(spdep::poly2nb(back, queen = TRUE))
    nbr <- quiet(spdep::poly2nb(back, queen = FALSE))
    stopifnot(all(spdep::card(nbq) > 0))
    lw <- spdep::nb2listw(nbq, style = "W")
    back$shops <- lengths(quiet(st_intersects(back, shops_sf)))
    vars <- list(pop = back$pop, pop_density = back$pop / back$area_km2,
                 internet = back$internet, internet_share = back$internet / back$pop,
                 roads = back$roads, shops = back$shops,
                 shops_per_10k = 1e4 * back$shops / back$pop)
    for (v in names(vars)) {
        mt <- spdep::moran.test(vars[[v]], lw)
        cat(sprintf("Moran's I (queen, W) of %-15s %.3f  (p = %.2g)\n", v, mt$estimate[1],
                    mt$p.value))
    }
    cat(sprintf("queen links %d, rook links %d, mean neighbours %.2f\n",
                sum(spdep::card(nbq)), sum(spdep::card(nbr)), mean(spdep::card(nbq))))
}
cat(sprintf("%d counties, %d shops written to %s\n", n, m, outdir))
