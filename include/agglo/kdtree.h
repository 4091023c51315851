/* agglo kdtree: 2-D kd-tree over points for k-nearest-neighbour and radius queries, shared by
 * weights (knn, distance band, kernels), GWR (adaptive bandwidths) and point patterns.
 * Distances are planar (Euclidean) unless the tree was built with great_circle = 1, in which
 * case x = longitude, y = latitude in degrees and distances are great-circle kilometres on a
 * sphere of radius 6371.0088 km (as spdep's longlat = TRUE). */
#ifndef AGGLO_KDTREE_H
#define AGGLO_KDTREE_H

#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_kdtree agglo_kdtree;

/* Builds over n points (arrays copied). Points with NaN coordinates are left out of the
 * tree (never returned). */
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
