#!/usr/bin/env Rscript
# Reference values for agglo index (src/detect/composite*.c), written to
# tests/data/reference/detect/composite_*.csv.
#
# Independent implementations used:
#  * TOPSIS: the function topsis() of the CRAN package topsis 1.0 (Mahmoud Mosalman Yazdi,
#    2013, GPL-2), copied verbatim below because the package is not in Debian (CRAN mirror on
#    GitHub: cran/topsis, R/topsis.R).
#  * entropy weights and coupling degree: entropy_weight() and coupling_degree() (and its
#    topsis(), a cross-check of the former) of the R
#    package mathmodels 0.0.11 (Jingxin Zhang, AGPL >= 3; github zhjx19/mathmodels), sourced
#    from a checkout given as MATHMODELS=/path/to/mathmodels (its R/ folder). Its
#    coupling_degree() returns a tibble; tibble is not installed here, so its return
#    tibble::tibble(ID, ...) is replaced by data.frame(...) when sourcing (no id columns are
#    used here; nothing else changes).
# The only step written here is agglo's standardisation z = min-max (reversed for negative
# indicators) + shift, fed to entropy_weight() with index = NULL (no rescaling inside; its
# epsilon only replaces exact 0s and 1s, which the shift avoids).
#
# Data: Hwang & Yoon (1981, Multiple Attribute Decision Making, Springer) fighter-aircraft
# example (4 aircraft x 6 attributes, the textbook TOPSIS weights 0.2,0.1,0.1,0.1,0.2,0.3);
# a 2-period panel of 49 US states from spData (us_states, us_states_df).
#
# Run: MATHMODELS=/tmp/mathmodels Rscript scripts/reference/composite.R
suppressMessages(library(spData))
out <- "tests/data/reference/detect"
mm <- Sys.getenv("MATHMODELS")
if (!nzchar(mm)) stop("set MATHMODELS to a checkout of github zhjx19/mathmodels")
e <- new.env()
for (f in c("eval_preprocess.R", "eval_weights.R", "eval_algorithms.R")) sys.source(file.path(mm, "R", f), envir = e)
src <- readLines(file.path(mm, "R", "eval_system.R"))
src <- gsub("tibble::tibble(ID, ", "data.frame(", src, fixed = TRUE) # no id_cols here
eval(parse(text = src), envir = e)

## --- package topsis 1.0, R/topsis.R (verbatim) ---
topsis=function(decision = NULL, weights = NULL, impacts = NULL){
  if(missing(weights))
    stop("'weights' must be a numeric vector")
  if(missing(impacts))
    stop("'impacts' must be a character vector")
  if(! is.matrix(decision) |  is.data.frame(decision))
    stop("'decision' must be a matirx or data frame")
  if(length(weights) != ncol(decision))
    stop("length of 'weights' is not equal to number of columns")
  if(length(impacts) != ncol(decision))
    stop("length of 'impacts' is not equal to number of columns")
  if(! all(weights > 0))
    stop("weights must be positive numbers")
  if(! is.character(impacts))
    stop("impacts must be a character vector of '+' and '-' signs")
  if(! all(impacts == "+" | impacts == "-"))
    stop("impacts must be only '+' or '-' sign")
  weights <- weights/sum(weights)
  N <- matrix(nrow = nrow(decision), ncol = ncol(decision))
  for(i in 1:nrow(decision)){
    for(j in 1:ncol(decision)){
      N[i,j] <- decision[i,j] / sqrt(sum(decision[,j] ^ 2))
    }
  }
  W=diag(weights)
  V=N%*%W
  u <- as.integer(impacts == "+") * apply(V, 2, max) + 
    as.integer(impacts == "-") * apply(V, 2, min)
  l <- as.integer(impacts == "-") * apply(V, 2, max) + 
    as.integer(impacts == "+") * apply(V, 2, min)
  distance_u =function(x){
    sqrt(sum((x - u) ^ 2))
  }
  distance_l =function(x){
    sqrt(sum((x - l) ^ 2))
  }
  du <- apply(V, 1, distance_u)
  dl <- apply(V, 1, distance_l)
  score <- dl/(dl+du)
  return(data.frame(alt.row = 1:nrow(decision), score = score, rank = rank(-score)))
}
## --- end of the package's code ---

# agglo's standardisation (the one step written here)
stdz <- function(X, neg, shift) {
  Z <- X
  for (j in seq_len(ncol(X))) {
    r <- range(X[[j]])
    Z[[j]] <- if (neg[j]) (r[2] - X[[j]]) / (r[2] - r[1]) else (X[[j]] - r[1]) / (r[2] - r[1])
    Z[[j]] <- Z[[j]] + shift
  }
  Z
}
entropy <- function(X, neg, shift) {
  Z <- stdz(X, neg, shift)
  res <- e$entropy_weight(Z, index = NULL)
  list(w = res$w, index = res$s / 100, Z = Z)
}
wr <- function(df, name) {
  write.csv(df, file.path(out, name), row.names = FALSE, quote = FALSE)
}
num <- function(x) formatC(x, digits = 17, format = "g")

## 1. Hwang & Yoon's fighter aircraft
air <- data.frame(
  id = paste0("A", 1:4),
  speed = c(2.0, 2.5, 1.8, 2.2), range = c(1500, 2700, 2000, 1800),
  payload = c(20000, 18000, 21000, 20000), cost = c(5.5, 6.5, 4.5, 5.0),
  reliability = c(5, 3, 7, 5), maneuver = c(9, 5, 7, 5))
wr(air, "composite_aircraft.csv")
X <- air[, -1]
imp <- c("+", "+", "+", "-", "+", "+")
wt <- c(0.2, 0.1, 0.1, 0.1, 0.2, 0.3)
tp <- topsis(as.matrix(X), wt, imp)
stopifnot(isTRUE(all.equal(tp$score, unname(e$topsis(X, wt, imp)), tolerance = 1e-14)))
ent <- entropy(X, imp == "-", 1e-4)
ent2 <- entropy(X, imp == "-", 0.01)
et <- topsis(as.matrix(X), ent$w, imp)
wr(data.frame(id = air$id, topsis_textbook_w = num(tp$score), entropy_index = num(ent$index),
              entropy_index_shift001 = num(ent2$index), entropy_topsis_vector = num(et$score)),
   "composite_aircraft_scores.csv")
wr(data.frame(indicator = names(X), w_entropy = num(ent$w), w_entropy_shift001 = num(ent2$w)),
   "composite_aircraft_weights.csv")

## 2. a panel: 49 US states x 2 years, pooled ("global") entropy over the 98 rows
s <- sf::st_drop_geometry(us_states)[, c("NAME", "total_pop_10", "total_pop_15")]
d <- merge(s, us_states_df, by.x = "NAME", by.y = "state")
d <- d[order(d$NAME), ]
panel <- rbind(
  data.frame(state = d$NAME, year = 2010, income = d$median_income_10,
             pop = d$total_pop_10, poverty = d$poverty_level_10,
             poverty_rate = d$poverty_level_10 / d$total_pop_10),
  data.frame(state = d$NAME, year = 2015, income = d$median_income_15,
             pop = d$total_pop_15, poverty = d$poverty_level_15,
             poverty_rate = d$poverty_level_15 / d$total_pop_15))
panel$state <- gsub(" ", "_", panel$state)
write.csv(transform(panel, poverty_rate = num(poverty_rate)),
          file.path(out, "composite_panel.csv"), row.names = FALSE, quote = FALSE)
P <- panel[, c("income", "pop", "poverty", "poverty_rate")]
neg <- c(FALSE, FALSE, TRUE, TRUE)
pe <- entropy(P, neg, 1e-4)
# coupling of U1 = (income, pop) and U2 = (poverty, poverty_rate), each its own entropy score
U1 <- e$entropy_weight(pe$Z[, 1:2], index = NULL)
U2 <- e$entropy_weight(pe$Z[, 3:4], index = NULL)
U <- data.frame(U1 = U1$s / 100, U2 = U2$s / 100)
cs <- e$coupling_degree(U, type = "standard")
ca <- e$coupling_degree(U, type = "adjusted")
wr(data.frame(state = panel$state, year = panel$year, index = num(pe$index),
              U1 = num(U$U1), U2 = num(U$U2),
              C_classic = num(cs$coupling), T = num(cs$coord), D_classic = num(cs$coupling_coord),
              C_wang = num(ca$coupling), D_wang = num(ca$coupling_coord)),
   "composite_panel_scores.csv")
wr(data.frame(indicator = names(P), w = num(pe$w),
              w_within = num(c(U1$w, U2$w))), "composite_panel_weights.csv")
wr(data.frame(year = c(2010, 2015), mean_index = num(tapply(pe$index, panel$year, mean))),
   "composite_panel_periods.csv")
cat("written to", out, "\n")
