/* Weights specs ("queen", "knn:8", "kernel:gaussian:adaptive=10", a file) and the one
 * builder every command uses. */
#define _GNU_SOURCE
#include "agglo/geom.h"
#include "weights_internal.h"
#include "agglo/check.h"
#include "agglo/output.h"
#include "../core/core_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void agglo_weights_spec_init(agglo_weights_spec *s)
{
    memset(s, 0, sizeof *s);
    s->snap = -1.0;
    s->order = 1;
    s->power = 1.0;
    agglo_kernel_options_init(&s->kernel);
    agglo_weights_read_options_init(&s->read);
}

static int num(const char *t, double *v) { return agglo_parse_double(t, v) == 0 ? 0 : -1; }

static int count(const char *t, long *v)
{
    char *end;
    errno = 0;
    *v = strtol(t, &end, 10);
    return end != t && !*end && !errno && *v >= 0 && *v <= INT32_MAX ? 0 : -1;
}

static int is_file_spec(const char *text)
{
    char ext[16];
    agglo_path_ext(text, ext, sizeof ext);
    if (strcmp(ext, "gal") && strcmp(ext, "gwt") && strcmp(ext, "kwt") && strcmp(ext, "csv") &&
        strcmp(ext, "txt"))
        return 0;
    return 1;
}

int agglo_weights_spec_parse(agglo_ctx *ctx, const char *text, agglo_weights_spec *s)
{
    agglo_weights_spec_init(s);
    if (!text || !*text)
        return agglo_error(ctx, AGGLO_E_USAGE, "weights: empty weights spec");
    if (is_file_spec(text)) {
        struct stat st;
        if (stat(text, &st) != 0)
            return agglo_error(ctx, AGGLO_E_IO, "%s: cannot open weights file: %s", text, strerror(errno));
        if (strlen(text) >= sizeof s->path)
            return agglo_error(ctx, AGGLO_E_USAGE, "weights: path too long");
        s->kind = AGGLO_WSPEC_FILE;
        strcpy(s->path, text);
        return AGGLO_OK;
    }
    char buf[512];
    if (strlen(text) >= sizeof buf)
        return agglo_error(ctx, AGGLO_E_USAGE, "weights: spec '%s' too long", text);
    strcpy(buf, text);
    char *tok[16];
    int nt = 0;
    for (char *p = buf, *t; nt < 16 && (t = strsep(&p, ":"));)
        tok[nt++] = t;
    const char *name = tok[0];
    int pos = 0; /* positional arguments seen */
    if (!strcasecmp(name, "queen"))
        s->kind = AGGLO_WSPEC_QUEEN;
    else if (!strcasecmp(name, "rook"))
        s->kind = AGGLO_WSPEC_ROOK;
    else if (!strcasecmp(name, "knn"))
        s->kind = AGGLO_WSPEC_KNN;
    else if (!strcasecmp(name, "band") || !strcasecmp(name, "distance"))
        s->kind = AGGLO_WSPEC_BAND;
    else if (!strcasecmp(name, "idw"))
        s->kind = AGGLO_WSPEC_IDW;
    else if (!strcasecmp(name, "kernel"))
        s->kind = AGGLO_WSPEC_KERNEL;
    else
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "weights: '%s' is neither a weights file (.gal .gwt .kwt .csv) nor a spec "
                           "(queen, rook, knn:K, band:D, idw:P[:D], kernel:NAME[:BW])",
                           text);
    int contig = s->kind == AGGLO_WSPEC_QUEEN || s->kind == AGGLO_WSPEC_ROOK;
    for (int i = 1; i < nt; i++) {
        char *t = tok[i];
        char *eq = strchr(t, '=');
        double v;
        long c;
        if (eq) {
            *eq = '\0';
            const char *key = t, *val = eq + 1;
            if (contig && !strcmp(key, "snap") && !num(val, &v) && v >= 0)
                s->snap = v;
            else if (contig && !strcmp(key, "order") && !count(val, &c) && c >= 1)
                s->order = (int)c;
            else if (s->kind == AGGLO_WSPEC_KERNEL && !strcmp(key, "adaptive") && !count(val, &c) && c >= 1) {
                s->kernel.adaptive = 1;
                s->kernel.k = (size_t)c;
            } else if (s->kind == AGGLO_WSPEC_KERNEL && !strcmp(key, "k") && !count(val, &c) && c >= 1)
                s->kernel.k = (size_t)c;
            else if (s->kind == AGGLO_WSPEC_KERNEL && !strcmp(key, "bandwidth") && !num(val, &v) && v > 0)
                s->kernel.bandwidth = v;
            else if (s->kind == AGGLO_WSPEC_KERNEL && !strcmp(key, "diag") && !count(val, &c) && c <= 2)
                s->kernel.diagonal = (int)c;
            else
                return agglo_error(ctx, AGGLO_E_USAGE, "weights: spec '%s': bad option '%s=%s'", text, key, val);
            continue;
        }
        if (!strcmp(t, "arc") && !contig) {
            s->arc = 1;
            continue;
        }
        if (!strcmp(t, "surface") && !contig) {
            s->on_surface = 1;
            continue;
        }
        if (!strcmp(t, "cumulative") && contig) {
            s->cumulative = 1;
            continue;
        }
        if (!strcmp(t, "diag") && s->kind == AGGLO_WSPEC_KERNEL) {
            s->kernel.diagonal = 1;
            continue;
        }
        int ok = 0;
        switch (s->kind) {
        case AGGLO_WSPEC_KNN:
            if (pos == 0 && !count(t, &c) && c >= 1) {
                s->k = (size_t)c;
                ok = 1;
            }
            break;
        case AGGLO_WSPEC_BAND:
            if (pos == 0 && !num(t, &v) && v > 0) {
                s->threshold = v;
                ok = 1;
            }
            break;
        case AGGLO_WSPEC_IDW:
            if (pos == 0 && !num(t, &v) && v > 0) {
                s->power = v;
                ok = 1;
            } else if (pos == 1 && !num(t, &v) && v > 0) {
                s->threshold = v;
                ok = 1;
            }
            break;
        case AGGLO_WSPEC_KERNEL:
            if (pos == 0 && !agglo_kernel_parse(t, &s->kernel.kernel))
                ok = 1;
            else if (pos == 1 && !num(t, &v) && v > 0) {
                s->kernel.bandwidth = v;
                ok = 1;
            }
            break;
        default:
            break;
        }
        if (!ok)
            return agglo_error(ctx, AGGLO_E_USAGE, "weights: spec '%s': unexpected '%s'", text, t);
        pos++;
    }
    if (s->kind == AGGLO_WSPEC_KNN && s->k == 0)
        return agglo_error(ctx, AGGLO_E_USAGE, "weights: spec '%s': knn needs a count, e.g. knn:8", text);
    if (s->kind == AGGLO_WSPEC_KERNEL && pos == 0)
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "weights: spec '%s': kernel needs a name (uniform, triangular, epanechnikov, "
                           "quartic, gaussian)",
                           text);
    return AGGLO_OK;
}

const char *agglo_wspec_kind_name(agglo_wspec_kind k)
{
    switch (k) {
    case AGGLO_WSPEC_QUEEN: return "queen";
    case AGGLO_WSPEC_ROOK: return "rook";
    case AGGLO_WSPEC_KNN: return "knn";
    case AGGLO_WSPEC_BAND: return "distance band";
    case AGGLO_WSPEC_IDW: return "inverse distance";
    case AGGLO_WSPEC_KERNEL: return "kernel";
    case AGGLO_WSPEC_FILE: return "file";
    }
    return "?";
}

/* agglo_weights_build; *threshold_used (optional) as agglo_weights_make documents. */
static agglo_weights *build(agglo_ctx *ctx, const agglo_layer *layer, const agglo_weights_spec *s,
                            const char *id_field, double *threshold_used)
{
    if (threshold_used)
        *threshold_used = s->kind == AGGLO_WSPEC_IDW && s->threshold > 0 ? s->threshold : NAN;
    if (s->kind == AGGLO_WSPEC_FILE)
        return agglo_weights_read_for_layer_ex(ctx, s->path, layer, id_field, &s->read);
    size_t n = agglo_layer_count(layer);
    char **ids = agglo_layer_ids(ctx, layer, id_field);
    if (!ids)
        return NULL;
    const char *const *cids = (const char *const *)ids;
    agglo_weights *W = NULL;
    double *x = NULL, *y = NULL;
    if (id_field && agglo__weights_check_unique_ids(ctx, cids, n, agglo_layer_path(layer), id_field))
        goto out;
    if (s->kind == AGGLO_WSPEC_QUEEN || s->kind == AGGLO_WSPEC_ROOK) {
        W = s->kind == AGGLO_WSPEC_QUEEN ? agglo_weights_queen(ctx, layer, s->snap, cids)
                                         : agglo_weights_rook(ctx, layer, s->snap, cids);
        if (W && s->order > 1) {
            agglo_weights *H = agglo_weights_higher_order(ctx, W, s->order, s->cumulative);
            agglo_weights_free(W);
            W = H;
        }
        goto out;
    }
    if (agglo_lonlat_check(ctx, layer, AGGLO_COORDS_DISTANCES,
                           AGGLO_LONLAT_ARC_AVAILABLE | (s->arc ? AGGLO_LONLAT_ARC : 0u)))
        goto out;
    x = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    y = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!x || !y)
        goto out;
    if (agglo_layer_coords(ctx, layer, s->on_surface, x, y))
        goto out;
    switch (s->kind) {
    case AGGLO_WSPEC_KNN:
        W = agglo_weights_knn(ctx, x, y, n, s->k, s->arc, cids);
        break;
    case AGGLO_WSPEC_BAND: {
        double t = s->threshold;
        if (!(t > 0) && agglo_weights_min_threshold(ctx, x, y, n, s->arc, &t))
            break;
        if (threshold_used)
            *threshold_used = t;
        W = agglo_weights_band(ctx, x, y, n, t, s->arc, cids);
        break;
    }
    case AGGLO_WSPEC_IDW:
        W = agglo_weights_idw(ctx, x, y, n, s->power, s->threshold, s->arc, cids);
        break;
    case AGGLO_WSPEC_KERNEL: {
        agglo_kernel_options o = s->kernel;
        o.great_circle = s->arc;
        W = agglo_weights_kernel(ctx, x, y, n, &o, cids);
        break;
    }
    default:
        agglo_error(ctx, AGGLO_E_USAGE, "weights: no kind of weights given");
    }
out:
    free(x);
    free(y);
    agglo_strings_free(ids, n);
    return W;
}

agglo_weights *agglo_weights_build(agglo_ctx *ctx, const agglo_layer *layer,
                                   const agglo_weights_spec *s, const char *id_field)
{
    return build(ctx, layer, s, id_field, NULL);
}

/* The ids of W's first islands, ", "-separated, into list[size]: at most max of them, and
 * only whole ids that fit. Returns how many are listed. */
static size_t island_list(const agglo_weights *W, size_t max, char *list, size_t size)
{
    size_t len = 0, shown = 0;
    list[0] = '\0';
    for (size_t i = 0; i < agglo_weights_n(W) && shown < max; i++)
        if (agglo_weights_cardinality(W, i) == 0) {
            int r = snprintf(list + len, size - len, "%s%s", shown ? ", " : "", agglo_weights_id(W, i));
            if (r < 0 || (size_t)r >= size - len)
                break;
            len += (size_t)r;
            shown++;
        }
    return shown;
}

agglo_weights *agglo_weights_make(agglo_ctx *ctx, const agglo_layer *layer,
                                  const agglo_weights_spec *s, const char *id_field,
                                  agglo_transform transform, double *threshold_used)
{
    agglo_weights *W = build(ctx, layer, s, id_field, threshold_used);
    if (!W)
        return NULL;
    if (transform != AGGLO_TRANSFORM_V && agglo_weights_transform(ctx, W, transform)) {
        agglo_weights_free(W);
        return NULL;
    }
    size_t islands = agglo_weights_islands(W);
    if (islands) {
        char list[512];
        size_t shown = island_list(W, 20, list, sizeof list);
        agglo_warn(ctx, "%s: %zu observation(s) without neighbours (islands; kept with empty rows): %s%s",
                   agglo_layer_path(layer), islands, list, islands > shown ? ", ..." : "");
    }
    return W;
}

agglo_weights *agglo_weights_from_spec(agglo_ctx *ctx, const agglo_layer *layer,
                                       const char *spec, const char *id_field,
                                       int row_standardise)
{
    return agglo_weights_from_spec_ex(ctx, layer, spec, id_field, row_standardise, NULL);
}

agglo_weights *agglo_weights_from_spec_ex(agglo_ctx *ctx, const agglo_layer *layer,
                                          const char *spec, const char *id_field,
                                          int row_standardise,
                                          const agglo_weights_read_options *o)
{
    agglo_weights_spec s;
    if (agglo_weights_spec_parse(ctx, spec, &s))
        return NULL;
    if (o)
        s.read = *o;
    agglo_weights *W = agglo_weights_build(ctx, layer, &s, id_field);
    if (!W)
        return NULL;
    size_t isl = agglo_weights_islands(W);
    if (isl) {
        char list[256];
        size_t shown = island_list(W, 10, list, sizeof list);
        agglo_warn(ctx, "weights %s: %zu observation(s) without neighbours (ids: %s%s)", spec, isl, list,
                   isl > shown ? ", ..." : "");
    }
    if (row_standardise && agglo_weights_transform(ctx, W, AGGLO_TRANSFORM_W) != AGGLO_OK) {
        agglo_weights_free(W);
        return NULL;
    }
    return W;
}
