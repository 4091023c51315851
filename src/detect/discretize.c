/* Class breaks of a continuous variable: equal interval, quantile, geometric and standard
 * deviation rules as the R package GD defines them (disc()), natural breaks in jenks.c, and
 * R's cut(include.lowest = TRUE) classification. */
#include "detect_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const METHOD_NAMES[AGGLO_DISC_NMETHODS] = {"equal", "natural", "quantile",
                                                              "geometric", "sd"};

const char *agglo_disc_method_name(agglo_disc_method m)
{
    return (unsigned)m < AGGLO_DISC_NMETHODS ? METHOD_NAMES[m] : "?";
}

int agglo_disc_method_parse(const char *name)
{
    for (int m = 0; m < AGGLO_DISC_NMETHODS; m++)
        if (strcmp(name, METHOD_NAMES[m]) == 0)
            return m;
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* R's seq(0, 1, length.out = m + 1)[i]. */
static double unit_seq(int i, int m)
{
    return i == 0 ? 0 : i == m ? 1 : (double)i * (1.0 / m);
}

/* R's quantile(type = 7) of sorted s at probability p. */
static double quantile7(const double *s, size_t n, double p)
{
    double index = 1 + (double)(n - 1) * p;
    double lo = floor(index), hi = ceil(index);
    double qs = s[(size_t)lo - 1];
    double xh = s[(size_t)hi - 1];
    if (index > lo && xh != qs) {
        double h = index - lo;
        qs = (1 - h) * qs + h * xh;
    }
    return qs;
}

static size_t unique_sorted(double *v, size_t m)
{
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || v[i] != v[u - 1])
            v[u++] = v[i];
    return u;
}

/* GD's quantile rule: k + 1 quantiles; when some tie, the largest number of probabilities
 * whose distinct quantiles reach k + 1 is searched upwards, and the distinct ones kept. */
static int quantile_breaks(agglo_ctx *ctx, const double *s, size_t n, int k, double **out,
                           size_t *nout)
{
    double *v = agglo_malloc(ctx, (n + 2) * sizeof *v);
    if (!v)
        return AGGLO_E_NOMEM;
    for (int i = 0; i <= k; i++)
        v[i] = quantile7(s, n, unit_seq(i, k));
    size_t u = unique_sorted(v, (size_t)k + 1);
    if (u < (size_t)k + 1) {
        int m = (int)u;
        size_t got = u;
        while (got < (size_t)k + 1) {
            if ((size_t)m > n) {
                free(v);
                return agglo_error(ctx, AGGLO_E_NUMERIC,
                                   "quantile breaks: fewer distinct values than %d classes", k);
            }
            for (int i = 0; i <= m; i++)
                v[i] = quantile7(s, n, unit_seq(i, m));
            got = unique_sorted(v, (size_t)m + 1);
            m++;
        }
        u = got;
    }
    *out = v;
    *nout = u;
    return AGGLO_OK;
}

/* GD's FunX: m values b^i x0 - 1 (i = 1..m) from lo to hi in geometric progression of x+1. */
static void geo_run(double lo, double hi, int m, double *v)
{
    double b = pow((hi + 1) / (lo + 1), 1.0 / (m - 1));
    double x0 = (lo + 1) / b;
    for (int i = 1; i <= m; i++)
        v[i - 1] = pow(b, i) * x0 - 1;
}

static int geometric_breaks(agglo_ctx *ctx, double mn, double mx, int k, double **out,
                            size_t *nout)
{
    double *v = agglo_malloc(ctx, ((size_t)k + 2) * sizeof *v);
    if (!v)
        return AGGLO_E_NOMEM;
    if (mn >= 0 || mx <= 0) {
        /* one sign: k classes (GD's disc(x, k) gives k - 1 here, see docs/geodetector.md);
         * negative data is mirrored */
        int neg = mx <= 0 && mn < 0;
        double lo = neg ? -mx : mn, hi = neg ? -mn : mx;
        geo_run(lo, hi, k + 1, v);
        v[0] = lo;
        v[k] = hi;
        if (neg)
            for (int i = 0; i <= k / 2; i++) {
                double t = -v[i];
                v[i] = -v[k - i];
                v[k - i] = t;
            }
    } else {
        double rmin = fabs(mn), rmax = fabs(mx);
        int min_smaller = rmin <= rmax; /* GD's kmin == 1 */
        double rs = min_smaller ? rmin : rmax, rl = min_smaller ? rmax : rmin;
        int n2 = (int)floor((k + 1) / (1 + rs / rl));
        int n1 = k + 1 - n2;
        double *t1 = agglo_malloc(ctx, ((size_t)n1 + 2) * sizeof *t1);
        double *t2 = agglo_malloc(ctx, ((size_t)n2 + 2) * sizeof *t2);
        if (!t1 || !t2) {
            free(t1);
            free(t2);
            free(v);
            return AGGLO_E_NOMEM;
        }
        geo_run(0, rs, n1 + 1, t1); /* t1[1..n1] */
        geo_run(0, rl, n2 + 1, t2);
        const double *neg = min_smaller ? t1 : t2, *pos = min_smaller ? t2 : t1;
        int nneg = min_smaller ? n1 : n2, npos = min_smaller ? n2 : n1;
        int j = 0;
        for (int i = nneg; i >= 1; i--)
            v[j++] = -neg[i];
        for (int i = 1; i <= npos; i++)
            v[j++] = pos[i];
        free(t1);
        free(t2);
    }
    *out = v;
    *nout = (size_t)k + 1;
    return AGGLO_OK;
}

/* GD's standard-deviation rule: mean -+ j sd / 2 (or / 4 beyond 7 classes) inside the range,
 * with min and max, growing until there are at least k + 1 breaks. */
static int sd_breaks(agglo_ctx *ctx, const double *x, size_t n, double mn, double mx, int k,
                     double **out, size_t *nout)
{
    double mean, ss;
    detect_moments(x, n, &mean, &ss);
    double sd = sqrt(ss / (double)(n - 1));
    double *v = agglo_malloc(ctx, 2100 * sizeof *v);
    if (!v)
        return AGGLO_E_NOMEM;
    size_t len = 0;
    for (int m = k + 1; len < (size_t)k + 1; m++) {
        if (m > 2001) {
            free(v);
            return agglo_error(ctx, AGGLO_E_NUMERIC,
                               "sd breaks: the values do not spread into %d classes", k);
        }
        double div = m <= 7 ? 2 : 4;
        /* seqb = (m - 1) - seqa for seqa = 2000, 1998, ..., 2, kept when >= 0 (ascending) */
        double b1[1001], b2[1001];
        int nb = 0;
        for (int a = 2000; a >= 2; a -= 2) {
            int sb = (m - 1) - a;
            if (sb >= 0) {
                b1[nb] = mean - sb / div * sd;
                b2[nb] = mean + sb / div * sd;
                nb++;
            }
        }
        len = 0;
        v[len++] = mn;
        for (int i = nb - 1; i >= 0; i--) /* rev(itvb1), kept > min */
            if (b1[i] > mn)
                v[len++] = b1[i];
        for (int i = 0; i < nb; i++)
            if (b2[i] < mx) {
                int dup = 0; /* !duplicated() over itvb */
                for (size_t j = 1; j < len && !dup; j++)
                    dup = v[j] == b2[i];
                if (!dup)
                    v[len++] = b2[i];
            }
        v[len++] = mx;
    }
    *out = v;
    *nout = len;
    return AGGLO_OK;
}

int agglo_discretize_breaks(agglo_ctx *ctx, const double *x, size_t n, agglo_disc_method method,
                            int k, double **breaks, size_t *nbreaks)
{
    *breaks = NULL;
    *nbreaks = 0;
    if (k < 2 || k > 1000)
        return agglo_error(ctx, AGGLO_E_USAGE, "discretize: %d classes (use 2..1000)", k);
    if (n < 2)
        return agglo_error(ctx, AGGLO_E_EMPTY, "discretize: fewer than 2 values");
    double *s = agglo_malloc(ctx, n * sizeof *s);
    if (!s)
        return AGGLO_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            free(s);
            return agglo_error(ctx, AGGLO_E_MISSING, "discretize: value %zu is not finite", i + 1);
        }
        s[i] = x[i];
    }
    qsort(s, n, sizeof *s, cmp_double);
    double mn = s[0], mx = s[n - 1];
    int rc = AGGLO_OK;
    if (!(mx > mn)) {
        rc = agglo_error(ctx, AGGLO_E_NUMERIC, "discretize: all values are equal");
    } else if (method == AGGLO_DISC_EQUAL) {
        double *v = agglo_malloc(ctx, ((size_t)k + 1) * sizeof *v);
        if (!v) {
            rc = AGGLO_E_NOMEM;
        } else {
            double by = (mx - mn) / k;
            v[0] = mn;
            for (int i = 1; i < k; i++)
                v[i] = mn + i * by;
            v[k] = mx;
            *breaks = v;
            *nbreaks = (size_t)k + 1;
        }
    } else if (method == AGGLO_DISC_NATURAL) {
        double *v = agglo_malloc(ctx, ((size_t)k + 1) * sizeof *v);
        if (!v)
            rc = AGGLO_E_NOMEM;
        else if ((rc = agglo_jenks_breaks(ctx, s, n, k, v)) != AGGLO_OK)
            free(v);
        else {
            *breaks = v;
            *nbreaks = (size_t)k + 1;
        }
    } else if (method == AGGLO_DISC_QUANTILE) {
        rc = quantile_breaks(ctx, s, n, k, breaks, nbreaks);
    } else if (method == AGGLO_DISC_GEOMETRIC) {
        rc = geometric_breaks(ctx, mn, mx, k, breaks, nbreaks);
    } else if (method == AGGLO_DISC_SD) {
        rc = sd_breaks(ctx, x, n, mn, mx, k, breaks, nbreaks);
    } else {
        rc = agglo_error(ctx, AGGLO_E_USAGE, "discretize: unknown method %d", (int)method);
    }
    free(s);
    return rc;
}

void agglo_discretize_classify(const double *x, size_t n, const double *breaks, size_t nbreaks,
                               int *cls)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        cls[i] = -1;
        if (nbreaks < 2 || !(v >= breaks[0]) || !(v <= breaks[nbreaks - 1]))
            continue;
        /* smallest j with v <= breaks[j + 1] */
        size_t lo = 0, hi = nbreaks - 2;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (v <= breaks[mid + 1])
                hi = mid;
            else
                lo = mid + 1;
        }
        cls[i] = (int)lo;
    }
}
