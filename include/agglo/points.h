/* agglo points: point-pattern measures in a rectangular study window.
 *   - Clark-Evans nearest-neighbour index (spatstat clarkevans / clarkevans.test)
 *   - Ripley's K and L with border and isotropic (Ripley) edge correction, CSR envelopes
 *     (spatstat Kest / Lest / envelope)
 *   - centrography: mean centre, standard distance, standard deviational ellipse
 * Coordinates must be planar (a projected CRS); the CLI refuses geographic coordinates.
 * The window is {xmin, ymin, xmax, ymax}; NULL = bounding box of the points (spatstat's
 * default for ppp made from coordinates). Neighbour searches use a bucket grid, never all
 * pairs. */
#ifndef AGGLO_POINTS_H
#define AGGLO_POINTS_H

#include <stdint.h>
#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

struct GEOSGeom_t;

typedef struct agglo_clarkevans {
    size_t n;             /* points used (finite coordinates) */
    double area, perimeter, intensity;
    double mean_nnd;      /* observed mean nearest-neighbour distance */
    double expected;      /* 1 / (2 sqrt(lambda)) */
    double R, z, p;       /* no edge correction; z-test with SE = sqrt((4 - pi) A / (4 pi)) / n,
                             two-sided p (spatstat clarkevans.test, correction = "none") */
    double expected_donnelly; /* Donnelly (1978): expected + (0.0514 + 0.0412/sqrt n) P / n */
    double R_donnelly;
    double z_donnelly;    /* with Donnelly's variance 0.0703 A/n^2 + 0.037 P sqrt(A/n^5) */
    double p_donnelly;    /* two-sided normal p of z_donnelly */
    double p_donnelly_mc; /* Monte Carlo p (spatstat: min(1, 2 min(p_lo, p_hi)), nsim CSR
                             patterns of n points); NaN when nsim = 0 */
    int nsim;
    uint64_t seed;
} agglo_clarkevans;

int agglo_clarkevans_compute(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                             const double *window, int nsim, uint64_t seed,
                             agglo_clarkevans *out);

typedef enum {
    AGGLO_PATTERN_RANDOM = 0,
    AGGLO_PATTERN_CLUSTERED = 1,
    AGGLO_PATTERN_DISPERSED = 2
} agglo_pattern;

/* The pattern the Clark-Evans test points to at level alpha (e.g. 0.05): clustered when
 * p < alpha and R < 1, dispersed when p < alpha and R >= 1, else random (the z-test without
 * edge correction). */
agglo_pattern agglo_clarkevans_pattern(const agglo_clarkevans *ce, double alpha);
/* "random", "clustered", "dispersed". */
const char *agglo_pattern_name(agglo_pattern p);

enum {
    AGGLO_KEST_BORDER = 1,    /* reduced sample: pairs with d <= r and b_i >= r */
    AGGLO_KEST_ISOTROPIC = 2  /* Ripley's isotropic correction (rectangle, weights <= 100) */
};

typedef struct agglo_kest {
    size_t nr;        /* number of r values (r[0] = 0) */
    double *r;
    double *theo;     /* pi r^2 */
    double *border;   /* NULL unless requested */
    double *iso;      /* NULL unless requested */
    /* CSR envelope of K for the envelope correction (pointwise min and max of nsim
     * simulations with n points uniform in the window), NULL when nsim = 0. L = sqrt(K/pi). */
    double *lo, *hi;
    int nsim;
    int fix_n;               /* simulations had exactly n points (else Poisson counts) */
    int envelope_correction; /* AGGLO_KEST_* the envelope was computed with */
    uint64_t seed;
    size_t n;
    double area, intensity, rmax;
} agglo_kest;

/* K function on r = 0, rmax/(nr-1), ..., rmax (free with agglo_kest_free; NULL on failure). rmax <= 0 picks spatstat's default
 * (min(short side / 4, sqrt(1000 / (pi lambda)))); nr = 0 gives 513 values. corrections is a
 * bit set of AGGLO_KEST_*. nsim > 0 adds a pointwise envelope using the isotropic correction
 * when requested, else border: each simulation is a Poisson process of intensity n / area in
 * the window (spatstat envelope's default), or exactly n uniform points when fix_n. */
agglo_kest *agglo_kest_compute(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                               const double *window, double rmax, size_t nr, int corrections,
                               int nsim, int fix_n, uint64_t seed);
void agglo_kest_free(agglo_kest *k);

/* The estimate the summaries, L and the envelope use: iso when computed, else border. */
const double *agglo_kest_main(const agglo_kest *k);

/* L = sqrt(K / pi) of agglo_kest_main into L (nr values); lo and hi (may be NULL) get the
 * envelope's L when k has one (left untouched otherwise). */
void agglo_kest_lcurve(const agglo_kest *k, double *L, double *lo, double *hi);

typedef struct agglo_kest_summary {
    double max_L_minus_r; /* largest finite L(r) - r over r > 0 (-inf when none) */
    double r_at_max;      /* its r (first one on ties; 0 when none) */
    size_t r_above;       /* r > 0 values where K lies above the envelope's hi (0 without) */
    size_t r_below;       /* ... below its lo */
} agglo_kest_summary;

void agglo_kest_summarise(const agglo_kest *k, agglo_kest_summary *s);

typedef struct agglo_centrography {
    size_t n;
    double weight_sum;
    double mean_x, mean_y;    /* (weighted) mean centre */
    double standard_distance; /* sqrt(sum w d^2 / W) */
    /* standard deviational ellipse: eigen-decomposition of the weighted population
     * covariance; semi-axes = axis_scale * stdevs * sqrt(eigenvalue) (ArcGIS: axis_scale =
     * sqrt 2 since 10.x, Yuill 1971: 1) */
    double sde_major, sde_minor;
    double rotation;          /* major axis, degrees clockwise from north, [0, 180) */
    double axis_scale, stdevs;
} agglo_centrography;

/* w may be NULL. axis_scale <= 0 -> sqrt(2); stdevs <= 0 -> 1. */
int agglo_centrography_compute(agglo_ctx *ctx, const double *x, const double *y,
                               const double *w, size_t n, double axis_scale, double stdevs,
                               agglo_centrography *out);

/* The ellipse as a GEOS polygon (in the ctx's GEOS handle) with nvertices (>= 8) points, built
 * by agglo_geom_ellipse (agglo/geom.h); free with GEOSGeom_destroy_r. NULL on failure. */
struct GEOSGeom_t *agglo_centrography_ellipse(agglo_ctx *ctx, const agglo_centrography *c,
                                              int nvertices);

/* ---------------------------------------------------------------- polygonal windows
 * A study area that is not a rectangle (spatstat owin of type "polygonal"): the union of a
 * polygon layer's polygons (holes kept), or rings given directly. src/points/polywin.c */
typedef struct agglo_window agglo_window;
struct agglo_layer;
struct agglo_rng;

/* The union of the polygons of a polygon layer (GEOS UnaryUnion); NULL + error on failure. */
agglo_window *agglo_window_from_layer(agglo_ctx *ctx, const struct agglo_layer *polygons);
/* nrings rings of ring_len[r] vertices each, stored one after the other in x, y (a closing
 * vertex equal to the first is allowed); is_hole[r] != 0 for holes (NULL: none). The rings
 * must not cross (shells disjoint, each hole inside a shell), as in a valid (multi)polygon. */
agglo_window *agglo_window_from_rings(agglo_ctx *ctx, size_t nrings, const size_t *ring_len,
                                      const double *x, const double *y, const int *is_hole);
void agglo_window_free(agglo_window *w);
double agglo_window_area(const agglo_window *w);      /* shells minus holes */
double agglo_window_perimeter(const agglo_window *w); /* every ring's length */
void agglo_window_bbox(const agglo_window *w, double bb[4]); /* xmin, ymin, xmax, ymax */
/* 1 when (x, y) is inside (even-odd rule over all rings). */
int agglo_window_contains(const agglo_window *w, double x, double y);
/* Distance from (x, y) to the nearest boundary edge (spatstat bdist.points). */
double agglo_window_boundary_distance(const agglo_window *w, double x, double y);
/* Share of the circle of radius r centred at (x, y) lying inside the window, exact (the
 * circle's crossings with every edge, then the arcs between them); spatstat edge.Ripley's
 * weight is its inverse, capped at 100. */
double agglo_window_circle_fraction(const agglo_window *w, double x, double y, double r);
/* A uniform point in the window (rejection from the bounding box); -1 when 1e8 draws miss. */
int agglo_window_sample(const agglo_window *w, struct agglo_rng *rng, double *x, double *y);

/* Clark-Evans in a polygonal window: the area and perimeter are the window's; Donnelly's
 * correction is for rectangles only (spatstat), so its fields are NaN, and the Monte Carlo p
 * (nsim > 0, CSR patterns of n points in the polygon) is that of the uncorrected R. Every
 * point must lie inside the window. */
int agglo_clarkevans_compute_window(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                    const agglo_window *window, int nsim, uint64_t seed,
                                    agglo_clarkevans *out);
/* Ripley's K in a polygonal window (spatstat Kest on a polygonal owin): intensity n / area,
 * border correction with the distances to the polygon's boundary, isotropic correction with
 * the exact share of each circle inside the polygon (edge.Ripley, weights capped at 100);
 * default rmax from the bounding box's short side and the intensity (spatstat rmax.rule);
 * envelopes simulate in the polygon. Every point must lie inside the window. */
agglo_kest *agglo_kest_compute_window(agglo_ctx *ctx, const double *x, const double *y,
                                      size_t n, const agglo_window *window, double rmax,
                                      size_t nr, int corrections, int nsim, int fix_n,
                                      uint64_t seed);

/* Kernel density in a polygonal window (spatstat density.ppp with a polygonal owin): only the
 * points inside the window count (points outside are refused, or left out with
 * opts->window_only; counted in info), the density is computed as agglo_kde_compute on the
 * grid g, which must cover the window; with opts->edge it is divided by the kernel mass
 * inside the window (the kernel convolved with the window's mask of cell centres, as
 * spatstat's edge = TRUE); cells whose centre lies outside the window get nodata (*kept: the
 * cells inside; may be NULL). Needs agglo/kde.h. src/points/kde_window.c */
struct agglo_grid;
struct agglo_kde_options;
struct agglo_kde_info;
int agglo_kde_compute_window(agglo_ctx *ctx, const double *x, const double *y, const double *w,
                             size_t n, const struct agglo_grid *g,
                             const struct agglo_kde_options *opts, const agglo_window *win,
                             double nodata, double *out, struct agglo_kde_info *info,
                             size_t *kept);

#ifdef __cplusplus
}
#endif
#endif
