/* agglo index: the spatial indexes and earth models shared by every module.
 *
 * - A 2-D kd-tree over points for k-nearest-neighbour and radius queries (weights: knn,
 *   distance bands, kernels; GWR on great-circle distances). Distances are planar
 *   (Euclidean) unless the tree was built with great_circle = 1, in which case x =
 *   longitude, y = latitude in degrees and distances are great-circle kilometres on a sphere
 *   of radius 6371.0088 km (AGGLO_EARTH_CHORD below).
 * - The earth models: the great-circle distance formulas the library uses, each named after
 *   the implementation whose numbers it reproduces.
 * The uniform grid (planar GWR, kernel density) is private to the library
 * (src/index/index_internal.h): its queries are inner loops that read its fields directly. */
#ifndef AGGLO_INDEX_H
#define AGGLO_INDEX_H

#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- earth models (lon/lat in degrees, distances in km) ---- */
typedef enum agglo_earth_model {
    /* haversine on a sphere of radius 6371 km: mgwr's spherical=True (GWR) */
    AGGLO_EARTH_HAVERSINE = 0,
    /* WGS84 ellipsoid, Andoyer-Lambert approximation: sp/spdep's gcdist (knearneigh,
     * dnearneigh, nbdists with longlat = TRUE), used by the weights */
    AGGLO_EARTH_SPDEP_ELLIPSOID = 1,
    /* arc of the chord between unit vectors on a sphere of radius 6371.0088 km (the mean
     * earth radius): the kd-tree's metric */
    AGGLO_EARTH_CHORD = 2
} agglo_earth_model;

/* Distance between (lon1, lat1) and (lon2, lat2) in the given model. */
double agglo_earth_distance(agglo_earth_model model, double lon1, double lat1, double lon2,
                            double lat2);
/* The same, one function per model (for loops). */
double agglo_earth_haversine_km(double lon1, double lat1, double lon2, double lat2);
double agglo_earth_spdep_km(double lon1, double lat1, double lon2, double lat2);
double agglo_earth_chord_km(double lon1, double lat1, double lon2, double lat2);

/* ---- kd-tree ---- */
typedef struct agglo_kdtree agglo_kdtree;

/* Builds over n points (arrays copied); free with agglo_kdtree_free. Points with NaN
 * coordinates are left out of the tree (never returned). */
agglo_kdtree *agglo_kdtree_build(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                 int great_circle);
void agglo_kdtree_free(agglo_kdtree *tree);

/* The k nearest points to (qx, qy), nearest first, excluding index `exclude` (pass (size_t)-1
 * for none). Ties at equal distance are broken by lower index. Returns how many were found
 * (< k when the tree holds fewer points). idx and dist have room for k. Thread-safe. */
size_t agglo_kdtree_knn(const agglo_kdtree *tree, double qx, double qy, size_t k, size_t exclude,
                        size_t *idx, double *dist);

/* Every point within distance r of (qx, qy) (<= r), excluding `exclude`; results in
 * ascending index order. *idx and *dist are grown with realloc (caller frees); *cap is their
 * capacity. Returns the count, or (size_t)-1 when memory runs out. Thread-safe. */
size_t agglo_kdtree_radius(const agglo_kdtree *tree, double qx, double qy, double r,
                           size_t exclude, size_t **idx, double **dist, size_t *cap);

/* Distance between two points in the tree's metric. */
double agglo_kdtree_distance(const agglo_kdtree *tree, double x1, double y1, double x2, double y2);

#ifdef __cplusplus
}
#endif
#endif
