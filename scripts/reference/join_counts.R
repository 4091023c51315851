# Reference counts for `agglo join`: points generated here (seeded) over sf's nc counties,
# counted per county with sf::st_join(st_within). Writes:
#   tests/data/join/nc_points.csv        lon,lat,value (value has some NAs)
#   tests/data/reference/join/nc_counts.csv   FIPS,count,sum_value,mean_value
# Run from the repository root: Rscript scripts/reference/join_counts.R
suppressPackageStartupMessages(library(sf))
sf_use_s2(FALSE)
set.seed(20261123)
nc <- st_read("tests/data/nc/nc.shp", quiet = TRUE)
bb <- st_bbox(nc)
n <- 5000
lon <- runif(n, bb["xmin"] - 0.2, bb["xmax"] + 0.2)
lat <- runif(n, bb["ymin"] - 0.2, bb["ymax"] + 0.2)
value <- round(rlnorm(n, 3, 1), 3)
value[sample.int(n, 50)] <- NA
pts <- st_as_sf(data.frame(lon = lon, lat = lat, value = value), coords = c("lon", "lat"),
                crs = st_crs(nc), remove = FALSE)
dir.create("tests/data/join", showWarnings = FALSE, recursive = TRUE)
write.csv(data.frame(lon = sprintf("%.10f", lon), lat = sprintf("%.10f", lat), value = value),
          "tests/data/join/nc_points.csv", row.names = FALSE, quote = FALSE, na = "")
# NAD27 points given to agglo as a CSV get EPSG:4267 with --crs EPSG:4267.
j <- st_join(pts, nc["FIPS"], join = st_within)
cnt <- table(factor(j$FIPS, levels = nc$FIPS))
s <- tapply(j$value, factor(j$FIPS, levels = nc$FIPS), function(v) sum(v, na.rm = TRUE))
m <- tapply(j$value, factor(j$FIPS, levels = nc$FIPS), function(v) if (all(is.na(v))) NA else mean(v, na.rm = TRUE))
s[is.na(s)] <- 0
out <- data.frame(FIPS = nc$FIPS, count = as.integer(cnt), sum_value = sprintf("%.10f", s),
                  mean_value = ifelse(is.na(m), "NA", sprintf("%.12f", m)))
dir.create("tests/data/reference/join", showWarnings = FALSE, recursive = TRUE)
write.csv(out, "tests/data/reference/join/nc_counts.csv", row.names = FALSE, quote = FALSE)
cat("outside:", sum(is.na(j$FIPS)), "\n")
