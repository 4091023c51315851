/* agglo kde: kernel density of (weighted) points on a regular grid, bandwidth rules and
 * selectors, GeoTIFF output.
 *
 * Kernels are normalised 2-D radial kernels (each integrates to 1 over the plane). The
 * bandwidth h is the standard deviation for the gaussian kernel (spatstat's sigma) and the
 * support radius for the bounded kernels (ArcGIS/QGIS "search radius"):
 *   quartic       K(d) = 3/(pi h^2) (1 - d^2/h^2)^2        d < h
 *   epanechnikov  K(d) = 2/(pi h^2) (1 - d^2/h^2)
 *   triangular    K(d) = 3/(pi h^2) (1 - d/h)
 *   uniform       K(d) = 1/(pi h^2)
 *   gaussian      K(d) = 1/(2 pi h^2) exp(-d^2 / (2 h^2))
 * The density at u is lambda(u) = sum_i w_i K(|u - x_i|), an intensity per square unit of the
 * CRS (spatstat density.ppp, edge = FALSE); see agglo_kde_scale for the other scalings.
 *
 * Grids: cell centres at (xmin + (c + 0.5) cell, ymax - (r + 0.5) cell); values are stored
 * row-major with row 0 at the top (north), as GeoTIFF. */
#ifndef AGGLO_KDE_H
#define AGGLO_KDE_H

#include "agglo/core.h"
#include "agglo/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* NOTE (lead, 17:00): renamed from agglo_kernel/AGGLO_KERNEL_* / agglo_kernel_parse/_name/_value/_support
 * to agglo_kde_kernel/AGGLO_KDE_KERNEL_* / agglo_kde_kernel_* because include/agglo/weights.h
 * already defines agglo_kernel (kernel weights) and agglo.h includes both headers. */
typedef enum {
    AGGLO_KDE_KERNEL_QUARTIC = 0, /* ArcGIS / QGIS default (biweight) */
    AGGLO_KDE_KERNEL_GAUSSIAN = 1,
    AGGLO_KDE_KERNEL_EPANECHNIKOV = 2,
    AGGLO_KDE_KERNEL_TRIANGULAR = 3,
    AGGLO_KDE_KERNEL_UNIFORM = 4
} agglo_kde_kernel;

/* Parses "quartic"/"biweight", "gaussian"/"normal", "epanechnikov", "triangular",
 * "uniform"/"disc"; returns -1 if unknown. */
int agglo_kde_kernel_parse(const char *name);
const char *agglo_kde_kernel_name(agglo_kde_kernel k);
/* Normalised kernel value at distance d for bandwidth h. */
double agglo_kde_kernel_value(agglo_kde_kernel k, double d, double h);
/* Support radius in units of h (1 for bounded kernels, +inf for the gaussian). */
double agglo_kde_kernel_support(agglo_kde_kernel k);

typedef enum {
    AGGLO_BW_FIXED = 0,
    AGGLO_BW_SILVERMAN = 1, /* per axis R bw.nrd0 (0.9 min(sd, IQR/1.34) n^-1/5), geometric mean */
    AGGLO_BW_SCOTT = 2,     /* spatstat bw.scott(isotropic = TRUE): sqrt(sd_x sd_y) n^-1/6 */
    AGGLO_BW_ARCGIS = 3,    /* ArcGIS Kernel Density default:
                               0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2 */
    AGGLO_BW_PPL = 4,       /* spatstat bw.ppl(edge = FALSE): likelihood cross-validation,
                               gaussian kernel, 16 geometric steps over
                               [min nn distance, window diameter / 2] */
    AGGLO_BW_DIGGLE = 5     /* spatstat bw.diggle (Berman & Diggle 1989 mean-square error
                               criterion from the K-function, defaults): K by Kest(correction =
                               "good") on 512 r values over [0, min(short side / 4,
                               sqrt(1000 / (pi lambda)))], minimised over r <= rmax / 2;
                               returns sigma = r / 2 at the grid minimum (gaussian sigma).
                               Weights are ignored; at least 2 points, window with area */
} agglo_bw_rule;

/* Parses "silverman", "scott", "arcgis", "ppl", "diggle"; -1 if unknown. */
int agglo_bw_rule_parse(const char *name);
const char *agglo_bw_rule_name(agglo_bw_rule r);

/* Bandwidth from a rule. w may be NULL (all 1; weights act as multiplicities, n = sum w).
 * window = {xmin, ymin, xmax, ymax} is used by AGGLO_BW_PPL and AGGLO_BW_DIGGLE (NULL =
 * bounding box of the points). */
int agglo_kde_bandwidth(agglo_ctx *ctx, agglo_bw_rule rule, const double *x, const double *y,
                        const double *w, size_t n, const double *window, double *bandwidth);

typedef struct agglo_grid {
    double xmin, ymax; /* top-left corner */
    double cell;       /* square cell side */
    size_t ncols, nrows;
} agglo_grid;

/* Grid covering extent {xmin, ymin, xmax, ymax} with the given cell size: the columns and
 * rows needed to cover it (ceil), anchored at (xmin, ymax). */
int agglo_grid_from_extent(agglo_ctx *ctx, const double extent[4], double cell, agglo_grid *g);

/* The default grid extent: the bounding box of the points with finite coordinates grown by
 * pad (>= 0) on each side, widened to at least one cell of side cell on each axis (from its
 * xmin / ymin). AGGLO_E_EMPTY when no point has coordinates. */
int agglo_kde_default_extent(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                             double pad, double cell, double ext[4]);

typedef enum {
    AGGLO_KDE_AUTO = 0,  /* exact when cheap, else FFT */
    AGGLO_KDE_EXACT = 1, /* kernel evaluated at every cell centre (gaussian truncated at
                            gauss_cutoff * h), through a bucket grid of points */
    AGGLO_KDE_FFT = 2    /* points binned to cells, convolved by FFT (FFTW) with the kernel
                            sampled at cell offsets and normalised to sum 1 (spatstat) */
} agglo_kde_method;

typedef enum {
    AGGLO_KDE_BIN_NEAREST = 0, /* each point to the cell containing it (spatstat pixellate) */
    AGGLO_KDE_BIN_LINEAR = 1   /* bilinear share over the 4 nearest cell centres */
} agglo_kde_binning;

typedef enum {
    AGGLO_KDE_SCALE_INTENSITY = 0, /* per square CRS unit (spatstat; ArcGIS with area units
                                      = map units) */
    AGGLO_KDE_SCALE_KM2 = 1,       /* per square kilometre (CRS unit metre) */
    AGGLO_KDE_SCALE_CELL = 2,      /* expected count per cell: intensity * cell^2 */
    AGGLO_KDE_SCALE_PROBABILITY = 3 /* intensity / sum of weights (integrates to 1) */
} agglo_kde_scale;

typedef struct agglo_kde_options {
    agglo_kde_kernel kernel;
    double bandwidth;        /* h (> 0) */
    agglo_kde_method method;
    agglo_kde_binning binning; /* FFT path only */
    agglo_kde_scale scale;
    double gauss_cutoff;     /* gaussian truncation radius in h (default 8) */
    int edge;                /* uniform edge correction with the grid rectangle as the window
                                (spatstat density.ppp edge = TRUE): divide by the mass of the
                                discrete kernel inside the grid). It assumes no point beyond the
                                grid was seen: refused when points lie outside the grid unless
                                window_only */
    int window_only;         /* only the points inside the grid count (spatstat density.ppp with
                                the grid as the window); default 0: every point within the
                                kernel's reach of a cell counts, on every path (ArcGIS, QGIS) */
} agglo_kde_options;

void agglo_kde_options_init(agglo_kde_options *o);

typedef struct agglo_kde_info {
    agglo_kde_method method; /* method actually used */
    size_t points_used;      /* points with finite coordinates and weight */
    size_t points_outside;   /* used points lying outside the grid (they count unless
                                window_only) */
    size_t points_left_out;  /* points outside the grid left out by window_only */
    double total_weight;     /* weight of the points that count */
} agglo_kde_info;

/* Density of n points (w may be NULL) on grid g into out (nrows * ncols doubles, row 0 at
 * the top). Points with NaN coordinates or weights are skipped; negative weights refused.
 * Every point within the kernel's reach of a cell centre counts, whatever the method (the FFT
 * path bins the points near the grid into a padded grid), unless opts->window_only. Refused
 * (AGGLO_E_USAGE): a bandwidth so small for the cell that one point's kernel sampled at the
 * cell centres sums to less than 1/2 or more than 2 of its weight for some position of the
 * point; edge with points outside the grid and not window_only. info may be NULL.
 * Deterministic whatever the thread count. */
int agglo_kde_compute(agglo_ctx *ctx, const double *x, const double *y, const double *w,
                      size_t n, const agglo_grid *g, const agglo_kde_options *opts,
                      double *out, agglo_kde_info *info);

/* Largest value (*max, 0 at least) and sum (*sum) of the cells of a density on g that are
 * neither nodata nor non-finite; with the intensity scale, sum * cell^2 is the integral. */
void agglo_kde_summarise(const agglo_grid *g, const double *values, double nodata, double *max,
                         double *sum);

/* Sets cells whose centre lies outside every polygon of layer (even-odd rule per feature,
 * so holes are excluded) to nodata (agglo_geom_mask_grid, agglo/geom.h). Returns the number of cells kept in *kept (may be NULL). */
int agglo_kde_mask(agglo_ctx *ctx, const agglo_grid *g, const agglo_layer *polygons,
                   double *values, double nodata, size_t *kept);

/* Writes values as a single-band GeoTIFF (Float64, or Float32 when float32) with the grid's
 * geotransform, the CRS WKT (may be NULL) and nodata; atomic (temporary + rename). */
int agglo_raster_write_geotiff(agglo_ctx *ctx, const char *path, const double *values,
                               const agglo_grid *g, const char *crs_wkt, double nodata,
                               int float32);

#ifdef __cplusplus
}
#endif
#endif
