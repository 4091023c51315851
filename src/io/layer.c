/* Layer reading and writing through GDAL/OGR; geometries held as GEOS geometries. */
#define _GNU_SOURCE
#include "agglo/layer.h"
#include "agglo/output.h"
#include "../core/core_internal.h"
#include "gdal_util.h"
#include "agglo/expr.h"

#include <ctype.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <geos_c.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 6, 0)
#include <ogr_recordbatch.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <cpl_vsi.h>
#include <sys/stat.h>

struct agglo_layer {
    agglo_ctx *ctx;          /* GEOS handle owner; the layer must not outlive it */
    char *path;
    char *name;
    size_t n;
    GEOSGeometry **geoms;    /* n entries, NULL for NULL/empty geometries */
    agglo_table *table;
    char *crs_wkt;           /* NULL = no CRS */
    char *crs_name;
    int epsg;
    int geographic;
    agglo_geom_kind kind;
    size_t nnull, ninvalid;
};

void agglo_read_options_init(agglo_read_options *opts) { memset(opts, 0, sizeof *opts); }

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static void layer_set_crs(agglo_layer *L, OGRSpatialReferenceH srs)
{
    free(L->crs_wkt);
    free(L->crs_name);
    L->crs_wkt = L->crs_name = NULL;
    L->epsg = 0;
    L->geographic = 0;
    if (!srs)
        return;
    char *wkt = NULL;
    const char *opts[] = {"FORMAT=WKT2_2018", NULL};
    if (OSRExportToWktEx(srs, &wkt, opts) == OGRERR_NONE && wkt)
        L->crs_wkt = strdup(wkt);
    CPLFree(wkt);
    const char *name = OSRGetName(srs);
    L->crs_name = strdup(name ? name : "unnamed");
    L->geographic = OSRIsGeographic(srs) ? 1 : 0;
    OGRSpatialReferenceH c = OSRClone(srs);
    const char *auth = OSRGetAuthorityName(c, NULL);
    if (!auth || strcasecmp(auth, "EPSG") != 0)
        OSRAutoIdentifyEPSG(c);
    auth = OSRGetAuthorityName(c, NULL);
    const char *code = OSRGetAuthorityCode(c, NULL);
    if (auth && code && strcasecmp(auth, "EPSG") == 0)
        L->epsg = atoi(code);
    OSRDestroySpatialReference(c);
}

/* 1 if s is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s++;
        int extra;
        unsigned min;
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xDF) { extra = 1; min = 0x80; c &= 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { extra = 2; min = 0x800; c &= 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { extra = 3; min = 0x10000; c &= 0x07; }
        else return 0;
        for (int k = 0; k < extra; k++) {
            if ((*s & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (*s++ & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
    }
    return 1;
}

/* Row and column of the first string cell that is not UTF-8, or 0 if all are. */
static int table_has_invalid_utf8(const agglo_table *t, size_t *row, const char **field)
{
    for (size_t j = 0; j < agglo_table_ncols(t); j++) {
        const char *const *str = agglo_table_strings(t, j);
        if (!str)
            continue;
        for (size_t i = 0; i < agglo_table_nrows(t); i++)
            if (str[i] && !valid_utf8((const unsigned char *)str[i])) {
                *row = i;
                *field = agglo_table_col_name(t, j);
                return 1;
            }
    }
    return 0;
}

static agglo_geom_kind kind_of(OGRwkbGeometryType t)
{
    switch (wkbFlatten(t)) {
    case wkbPoint:
    case wkbMultiPoint: return AGGLO_GEOM_POINT;
    case wkbLineString:
    case wkbMultiLineString: return AGGLO_GEOM_LINE;
    case wkbPolygon:
    case wkbMultiPolygon: return AGGLO_GEOM_POLYGON;
    case wkbUnknown:
    case wkbNone: return AGGLO_GEOM_NONE;
    default: return AGGLO_GEOM_MIXED;
    }
}

static GEOSGeometry *ogr_to_geos(GEOSContextHandle_t gh, OGRGeometryH g)
{
    OGR_G_FlattenTo2D(g);
    size_t size = (size_t)OGR_G_WkbSize(g);
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return NULL;
    GEOSGeometry *out = NULL;
    if (OGR_G_ExportToIsoWkb(g, wkbNDR, buf) == OGRERR_NONE)
        out = GEOSGeomFromWKB_buf_r(gh, buf, size);
    free(buf);
    return out;
}

/* The same with a WKB buffer reused across calls. */
static GEOSGeometry *ogr_to_geos_buf(GEOSContextHandle_t gh, OGRGeometryH g, unsigned char **buf,
                                     size_t *cap)
{
    OGR_G_FlattenTo2D(g);
    size_t size = (size_t)OGR_G_WkbSize(g);
    if (size > *cap) {
        unsigned char *nb = realloc(*buf, size);
        if (!nb)
            return NULL;
        *buf = nb;
        *cap = size;
    }
    if (OGR_G_ExportToIsoWkb(g, wkbNDR, *buf) != OGRERR_NONE)
        return NULL;
    return GEOSGeomFromWKB_buf_r(gh, *buf, size);
}

static int finite_geometry(GEOSContextHandle_t gh, const GEOSGeometry *g)
{
    double a, b, c, d;
    if (!GEOSGeom_getXMin_r(gh, g, &a) || !GEOSGeom_getYMin_r(gh, g, &b) ||
        !GEOSGeom_getXMax_r(gh, g, &c) || !GEOSGeom_getYMax_r(gh, g, &d))
        return 0;
    return isfinite(a) && isfinite(b) && isfinite(c) && isfinite(d);
}

static agglo_layer *layer_new(agglo_ctx *ctx, size_t n)
{
    agglo_layer *L = agglo_calloc(ctx, 1, sizeof *L);
    if (!L)
        return NULL;
    L->ctx = ctx;
    L->n = n;
    L->geoms = agglo_calloc(ctx, n ? n : 1, sizeof(GEOSGeometry *));
    if (!L->geoms) {
        free(L);
        return NULL;
    }
    return L;
}

void agglo_layer_free(agglo_layer *L)
{
    if (!L)
        return;
    GEOSContextHandle_t gh = agglo_ctx_geos(L->ctx);
    for (size_t i = 0; i < L->n; i++)
        if (L->geoms[i])
            GEOSGeom_destroy_r(gh, L->geoms[i]);
    free(L->geoms);
    agglo_table_free(L->table);
    free(L->path);
    free(L->name);
    free(L->crs_wkt);
    free(L->crs_name);
    free(L);
}

/* Growable per-field buffers while reading features. */
typedef struct field_buf {
    char *name;
    int is_string;
    int is_integer;
    int skip; /* not among the requested fields */
    OGRFieldType type;
    double *num;
    unsigned char *null;
    char **str;
} field_buf;

static int grow(void **p, size_t elem, size_t cap)
{
    void *q = realloc(*p, elem * cap);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 6, 0)
/* Columnar read through OGR_L_GetArrowStream: GDAL 3.6's GeoPackage driver fills Arrow batches
 * straight from SQLite (3x faster than GetNextFeature on 200,000 points; for Shapefiles it is
 * the generic implementation on top of GetNextFeature, so it is used for GeoPackages only).
 * Returns 1 when the layer was read, 0 when the layer has a field type this path does not
 * convert (nothing consumed: the caller reads feature by feature), -2 when GDAL failed on a
 * batch (the caller frees what was read and reads feature by feature to find the feature),
 * other negative codes on errors. */
typedef struct arrow_reader {
    GEOSGeometry **geoms;
    size_t n, cap;
    agglo_geom_kind kind;
} arrow_reader;

static int arrow_bit(const void *bitmap, int64_t i)
{
    return !bitmap || (((const unsigned char *)bitmap)[i >> 3] >> (i & 7)) & 1;
}

static agglo_geom_kind wkb_kind(const unsigned char *w, size_t len)
{
    if (len < 5)
        return AGGLO_GEOM_NONE;
    uint32_t t;
    memcpy(&t, w + 1, 4);
    if (w[0] == 0)
        t = __builtin_bswap32(t);
    switch ((t & 0x0FFFFFFF) % 1000) {
    case 1:
    case 4: return AGGLO_GEOM_POINT;
    case 2:
    case 5: return AGGLO_GEOM_LINE;
    case 3:
    case 6: return AGGLO_GEOM_POLYGON;
    default: return AGGLO_GEOM_MIXED;
    }
}

static int read_arrow(agglo_ctx *ctx, const char *path, OGRLayerH lyr, field_buf *fb, int nf,
                      arrow_reader *ar, gdal_errors *ge)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    struct ArrowArrayStream stream;
    char *sopts[] = {"INCLUDE_FID=NO", NULL};
    if (!OGR_L_GetArrowStream(lyr, &stream, sopts))
        return 0;
    struct ArrowSchema schema;
    int rc = 0;
    if (stream.get_schema(&stream, &schema) != 0) {
        stream.release(&stream);
        return 0;
    }
    /* child k of a batch -> field index (or -1 for the geometry) */
    int64_t nc = schema.n_children;
    int *map = calloc((size_t)(nc ? nc : 1), sizeof *map);
    int geom_child = -1, ok = map != NULL;
    for (int64_t k = 0; ok && k < nc; k++) {
        const char *fmt = schema.children[k]->format, *name = schema.children[k]->name;
        map[k] = -2;
        if (strcmp(fmt, "z") == 0 && geom_child < 0 &&
            (!OGR_L_GetGeometryColumn(lyr)[0] || strcmp(name, OGR_L_GetGeometryColumn(lyr)) == 0 ||
             strcmp(name, "wkb_geometry") == 0)) {
            geom_child = (int)k;
            map[k] = -1;
            continue;
        }
        for (int j = 0; j < nf; j++)
            if (!fb[j].skip && strcmp(fb[j].name, name) == 0)
                map[k] = j;
        int j = map[k];
        if (j < 0) {
            ok = 0;
            break;
        }
        /* the types this path converts; others (dates, lists, binary) go feature by feature */
        int want = fb[j].type == OFTInteger     ? strcmp(fmt, "i") == 0
                   : fb[j].type == OFTInteger64 ? strcmp(fmt, "l") == 0
                   : fb[j].type == OFTReal      ? strcmp(fmt, "g") == 0
                   : fb[j].type == OFTString    ? strcmp(fmt, "u") == 0
                                                : 0;
        ok = want;
    }
    if (!ok || geom_child < 0) {
        free(map);
        schema.release(&schema);
        stream.release(&stream);
        OGR_L_ResetReading(lyr);
        return 0;
    }
    struct ArrowArray batch;
    while (rc >= 0) {
        /* a failing batch does not tell which feature is bad: the caller reads again
         * feature by feature to name it */
        if (stream.get_next(&stream, &batch) != 0) {
            rc = -2;
            break;
        }
        if (!batch.release)
            break;
        if (ge->count) {
            batch.release(&batch);
            rc = -2;
            break;
        }
        size_t len = (size_t)batch.length;
        if (len == 0) {
            batch.release(&batch);
            continue;
        }
        if (ar->n + len > ar->cap) {
            size_t cap = ar->cap ? ar->cap : 1024;
            while (cap < ar->n + len)
                cap *= 2;
            int bad = grow((void **)&ar->geoms, sizeof *ar->geoms, cap);
            for (int j = 0; j < nf && !bad; j++)
                if (!fb[j].skip)
                    bad = grow((void **)&fb[j].null, 1, cap) ||
                          (fb[j].is_string ? grow((void **)&fb[j].str, sizeof(char *), cap)
                                           : grow((void **)&fb[j].num, sizeof(double), cap));
            if (bad) {
                batch.release(&batch);
                rc = agglo_error(ctx, AGGLO_E_NOMEM, "%s: out of memory while reading", path);
                break;
            }
            ar->cap = cap;
        }
        memset(ar->geoms + ar->n, 0, len * sizeof *ar->geoms);
        for (int j = 0; j < nf; j++)
            if (!fb[j].skip) {
                memset(fb[j].null + ar->n, 1, len);
                if (fb[j].is_string)
                    memset(fb[j].str + ar->n, 0, len * sizeof(char *));
            }
        for (int64_t k = 0; k < nc && rc >= 0; k++) {
            const struct ArrowArray *c = batch.children[k];
            int64_t off = batch.offset + c->offset;
            const void *valid = c->null_count ? c->buffers[0] : NULL;
            if (map[k] == -1) {
                const int32_t *o = c->buffers[1];
                const unsigned char *d = c->buffers[2];
                for (size_t i = 0; i < len; i++) {
                    GEOSGeometry *g = NULL;
                    int64_t r = off + (int64_t)i;
                    size_t wl = arrow_bit(valid, r) ? (size_t)(o[r + 1] - o[r]) : 0;
                    const unsigned char *w = d + (wl ? o[r] : 0);
                    if (wl >= 21 && w[0] == 1 && w[1] == 1 && w[2] == 0 && w[3] == 0 && w[4] == 0) {
                        double x, y; /* a little-endian 2D point: no decoding needed */
                        memcpy(&x, w + 5, 8);
                        memcpy(&y, w + 13, 8);
                        if (isfinite(x) && isfinite(y))
                            g = GEOSGeom_createPointFromXY_r(gh, x, y);
                    } else if (wl) {
                        g = GEOSGeomFromWKB_buf_r(gh, w, wl);
                        if (g && (GEOSisEmpty_r(gh, g) == 1 || !finite_geometry(gh, g))) {
                            GEOSGeom_destroy_r(gh, g);
                            g = NULL;
                        } else if (g && GEOSHasZ_r(gh, g) == 1) {
                            /* 2D as the feature path (OGR_G_FlattenTo2D) */
                            GEOSWKBWriter *wr = GEOSWKBWriter_create_r(gh);
                            GEOSWKBWriter_setOutputDimension_r(gh, wr, 2);
                            size_t sz;
                            unsigned char *b2 = GEOSWKBWriter_write_r(gh, wr, g, &sz);
                            GEOSWKBWriter_destroy_r(gh, wr);
                            GEOSGeom_destroy_r(gh, g);
                            g = b2 ? GEOSGeomFromWKB_buf_r(gh, b2, sz) : NULL;
                            GEOSFree_r(gh, b2);
                        }
                    }
                    if (g) {
                        agglo_geom_kind gk = wkb_kind(w, wl);
                        ar->kind = ar->kind == AGGLO_GEOM_NONE ? gk
                                   : ar->kind == gk            ? gk
                                                               : AGGLO_GEOM_MIXED;
                    }
                    ar->geoms[ar->n + i] = g;
                }
                continue;
            }
            field_buf *f = &fb[map[k]];
            for (size_t i = 0; i < len; i++) {
                int64_t r = off + (int64_t)i;
                int isnull = !arrow_bit(valid, r);
                f->null[ar->n + i] = (unsigned char)isnull;
                if (f->is_string) {
                    const int32_t *o = c->buffers[1];
                    const char *d = c->buffers[2];
                    f->str[ar->n + i] = isnull ? NULL : strndup(d + o[r], (size_t)(o[r + 1] - o[r]));
                    if (!isnull && !f->str[ar->n + i])
                        rc = agglo_error(ctx, AGGLO_E_NOMEM, "%s: out of memory while reading", path);
                } else if (isnull) {
                    f->num[ar->n + i] = NAN;
                } else if (f->type == OFTInteger) {
                    f->num[ar->n + i] = ((const int32_t *)c->buffers[1])[r];
                } else if (f->type == OFTInteger64) {
                    f->num[ar->n + i] = (double)((const int64_t *)c->buffers[1])[r];
                } else {
                    f->num[ar->n + i] = ((const double *)c->buffers[1])[r];
                }
            }
        }
        ar->n += len; /* every entry of the batch is set or NULL: the caller frees up to n */
        batch.release(&batch);
    }
    free(map);
    schema.release(&schema);
    stream.release(&stream);
    return rc < 0 ? rc : 1;
}
#endif


/* SQL identifier in double quotes (inner quotes doubled) appended to a growing string. */
static int sql_ident(char **s, size_t *len, size_t *cap, const char *id)
{
    for (const char *p = NULL; !p || *p; p = p ? p + 1 : id) {
        if (*len + 4 > *cap) {
            size_t nc = *cap ? 2 * *cap : 256;
            char *q = realloc(*s, nc);
            if (!q)
                return -1;
            *s = q;
            *cap = nc;
        }
        if (!p) {
            (*s)[(*len)++] = '"';
            if (!*id)
                break;
            continue;
        }
        if (*p == '"')
            (*s)[(*len)++] = '"';
        (*s)[(*len)++] = *p;
    }
    (*s)[(*len)++] = '"';
    (*s)[*len] = '\0';
    return 0;
}

static int sql_add(char **s, size_t *len, size_t *cap, const char *text)
{
    size_t l = strlen(text);
    if (*len + l + 1 > *cap) {
        size_t nc = (*len + l + 1) * 2;
        char *q = realloc(*s, nc);
        if (!q)
            return -1;
        *s = q;
        *cap = nc;
    }
    memcpy(*s + *len, text, l + 1);
    *len += l;
    return 0;
}

/* GeoPackage numeric columns holding text or a blob: SQLite keeps whatever was stored and GDAL
 * reads it as 0, so it is corruption. One indexed-free scan in SQLite over the numeric
 * columns read. */
static int check_gpkg_numeric(agglo_ctx *ctx, const char *path, GDALDatasetH ds, OGRLayerH lyr,
                              const field_buf *fb, int nf, gdal_errors *ge)
{
    const char *fid = OGR_L_GetFIDColumn(lyr);
    char *sql = NULL;
    size_t len = 0, cap = 0;
    int any = 0, bad = 0;
    bad |= sql_add(&sql, &len, &cap, "SELECT ");
    bad |= sql_ident(&sql, &len, &cap, fid && *fid ? fid : "fid");
    for (int j = 0; j < nf; j++) {
        if (fb[j].skip || fb[j].is_string)
            continue;
        bad |= sql_add(&sql, &len, &cap, ", typeof(");
        bad |= sql_ident(&sql, &len, &cap, fb[j].name);
        bad |= sql_add(&sql, &len, &cap, "), CAST(");
        bad |= sql_ident(&sql, &len, &cap, fb[j].name);
        bad |= sql_add(&sql, &len, &cap, " AS TEXT)");
    }
    bad |= sql_add(&sql, &len, &cap, " FROM ");
    bad |= sql_ident(&sql, &len, &cap, OGR_L_GetName(lyr));
    bad |= sql_add(&sql, &len, &cap, " WHERE 0");
    for (int j = 0; j < nf; j++) {
        if (fb[j].skip || fb[j].is_string)
            continue;
        any = 1;
        bad |= sql_add(&sql, &len, &cap, " OR typeof(");
        bad |= sql_ident(&sql, &len, &cap, fb[j].name);
        bad |= sql_add(&sql, &len, &cap, ") IN ('text', 'blob')");
    }
    bad |= sql_add(&sql, &len, &cap, " LIMIT 1");
    if (bad) {
        free(sql);
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    }
    int rc = AGGLO_OK;
    if (any) {
        OGRLayerH res = GDALDatasetExecuteSQL(ds, sql, NULL, "NATIVE");
        OGRFeatureH f = res ? OGR_L_GetNextFeature(res) : NULL;
        if (f) {
            int c = 0; /* the fid column becomes the result's FID, not a field */
            for (int j = 0; j < nf && rc == AGGLO_OK; j++) {
                if (fb[j].skip || fb[j].is_string)
                    continue;
                const char *t = OGR_F_GetFieldAsString(f, c);
                if (strcmp(t, "text") == 0 || strcmp(t, "blob") == 0) {
                    char shown[64];
                    snprintf(shown, sizeof shown, "%s", OGR_F_GetFieldAsString(f, c + 1));
                    for (char *q = shown; *q; q++)
                        if ((unsigned char)*q < 0x20)
                            *q = '?';
                    rc = agglo_error(ctx, AGGLO_E_FORMAT,
                                     "%s: corrupt at feature with fid %lld: numeric column '%s' "
                                     "holds %s '%s', not a number",
                                     path, (long long)OGR_F_GetFID(f), fb[j].name,
                                     t, shown);
                }
                c += 2;
            }
            OGR_F_Destroy(f);
        }
        if (res)
            GDALDatasetReleaseResultSet(ds, res);
        /* a damaged database fails this scan too: the read that follows names the feature */
        if (ge->count && rc == AGGLO_OK) {
            ge->count = 0;
            ge->first[0] = ge->last[0] = '\0';
        }
    }
    free(sql);
    return rc;
}

/* A warning of the reader, or with opts->strict an error with the same text. */
static int read_warn(agglo_ctx *ctx, const agglo_read_options *o, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int read_warn(agglo_ctx *ctx, const agglo_read_options *o, int code, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (o->strict || agglo_ctx_strict(ctx))
        return agglo_error(ctx, code, "%s (an error with --strict)", buf);
    agglo_warn(ctx, "%s", buf);
    return AGGLO_OK;
}

/* GDAL's GeoPackage driver names srs_id 0 "Undefined geographic SRS" and -1 "Undefined
 * Cartesian SRS": no CRS at all, whatever the coordinates are. */
static int srs_is_undefined(OGRSpatialReferenceH srs)
{
    const char *name = OSRGetName(srs);
    return name && strncasecmp(name, "Undefined ", 10) == 0 && !OSRGetAuthorityCode(srs, NULL);
}

/* Field names of a layer definition as "A, B, C" (truncated) for messages. */
static void field_list(OGRFeatureDefnH defn, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int j = 0; j < OGR_FD_GetFieldCount(defn) && used + 1 < size; j++) {
        int k = snprintf(out + used, size - used, "%s%s", j ? ", " : "",
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j)));
        if (k > 0)
            used += (size_t)k;
    }
}

int agglo_read_options_add_variable(agglo_ctx *ctx, agglo_read_options *opts, const char *text)
{
    for (size_t i = 0; i < opts->nvariables; i++)
        if (strcmp(opts->variables[i], text) == 0)
            return AGGLO_OK;
    char **v = realloc(opts->variables, (opts->nvariables + 2) * sizeof *v);
    if (!v)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    opts->variables = v;
    if (!(v[opts->nvariables] = strdup(text)))
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    v[++opts->nvariables] = NULL;
    return AGGLO_OK;
}

void agglo_read_options_clear(agglo_read_options *opts)
{
    for (size_t i = 0; i < opts->nvariables; i++)
        free(opts->variables[i]);
    free(opts->variables);
    opts->variables = NULL;
    opts->nvariables = 0;
}

/* Index of the field named name (exactly, else the one case-insensitive match), or -1. */
static int defn_field(OGRFeatureDefnH defn, const char *name, size_t len)
{
    int found = -1, n = OGR_FD_GetFieldCount(defn);
    for (int j = 0; j < n; j++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j));
        if (strlen(f) == len && strncmp(f, name, len) == 0)
            return j;
    }
    for (int j = 0; j < n; j++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j));
        if (strlen(f) == len && strncasecmp(f, name, len) == 0) {
            if (found >= 0)
                return -1;
            found = j;
        }
    }
    return found;
}

static char **want_add(char **want, const char *name)
{
    for (char **w = want; w && *w; w++)
        if (strcasecmp(*w, name) == 0)
            return want;
    return CSLAddString(want, name);
}

/* The fields to read: opts->fields; the fields each of opts->variables reads (a field's name
 * itself, else the fields of the expression: agglo_expr_parse); the fields a --where filter
 * names (OGR evaluates it on the feature read, so they must not be ignored); a CSV's
 * coordinate columns. */
static int wanted_fields(agglo_ctx *ctx, const char *path, OGRFeatureDefnH defn,
                         const agglo_read_options *opts, int csv_coords, char ***out)
{
    char **want = NULL;
    for (const char *const *w = opts->fields; w && *w; w++)
        want = want_add(want, *w);
    for (size_t i = 0; i < opts->nvariables; i++) {
        const char *text = opts->variables[i];
        if (defn_field(defn, text, strlen(text)) >= 0) {
            want = want_add(want, text);
            continue;
        }
        agglo_expr *e = agglo_expr_parse(ctx, text);
        if (!e) {
            CSLDestroy(want);
            return agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s", path, agglo_ctx_errmsg(ctx));
        }
        for (size_t k = 0; k < agglo_expr_field_count(e); k++)
            want = want_add(want, agglo_expr_field(e, k));
        agglo_expr_free(e);
    }
    /* identifiers of the filter (words and "quoted" names outside 'strings') that are fields */
    for (const char *p = opts->where; p && *p;) {
        if (*p == '\'') {
            for (p++; *p && !(*p == '\'' && p[1] != '\''); p += *p == '\'' ? 2 : 1)
                ;
            p += *p != 0;
        } else if (*p == '"' || isalpha((unsigned char)*p) || *p == '_') {
            int quoted = *p == '"';
            const char *s = p + quoted, *q = s;
            while (*q && (quoted ? *q != '"' : (isalnum((unsigned char)*q) || *q == '_')))
                q++;
            int j = defn_field(defn, s, (size_t)(q - s));
            if (j >= 0)
                want = want_add(want, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j)));
            p = q + (quoted && *q);
        } else {
            p++;
        }
    }
    /* a CSV's points are made from its coordinate columns, which stay attributes */
    if (csv_coords) {
        const char *xs = opts->x_field ? opts->x_field : "lon,longitude,lng,long,x,X";
        const char *ys = opts->y_field ? opts->y_field : "lat,latitude,y,Y";
        for (int axis = 0; axis < 2; axis++) {
            char **names = CSLTokenizeString2(axis ? ys : xs, ",", 0);
            for (char **n = names; n && *n; n++) {
                int j = defn_field(defn, *n, strlen(*n));
                if (j >= 0)
                    want = want_add(want, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j)));
            }
            CSLDestroy(names);
        }
    }
    *out = want;
    return AGGLO_OK;
}

/* Reads a layer; table_only: the attributes of any source, its geometry (if any) ignored. */
static agglo_layer *layer_read(agglo_ctx *ctx, const char *path, const agglo_read_options *opts_in,
                               int table_only)
{
    agglo_read_options defaults;
    agglo_read_options_init(&defaults);
    const agglo_read_options *opts = opts_in ? opts_in : &defaults;
    agglo_gdal_init();
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);

    if (agglo_check_input_file(ctx, path) != AGGLO_OK)
        return NULL;
    if (table_only && (opts->assign_crs || opts->to_crs || opts->make_valid)) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: read as a table (geometry not used): %s does not apply",
                    path, opts->to_crs ? "--to" : opts->assign_crs ? "--crs" : "--make-valid");
        return NULL;
    }
    int is_shp = ends_with_ci(path, ".shp");
    struct stat dir_st;
    int is_dir = !agglo_is_vsi_path(path) && stat(path, &dir_st) == 0 && S_ISDIR(dir_st.st_mode);
    int is_csv = ends_with_ci(path, ".csv");
    /* a zipped Shapefile (or any zipped source) is read through /vsizip/ */
    char *open_path = NULL;
    if (!agglo_is_vsi_path(path) && ends_with_ci(path, ".zip") && !ends_with_ci(path, ".shp.zip")) {
        if (asprintf(&open_path, "/vsizip/%s", path) < 0) {
            agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            return NULL;
        }
    }
    /* the numeric checks of the .dbf cover the fields read; variables are resolved against
     * the layer later, so then every field is checked */
    const char *const *checked = opts->nvariables ? NULL : opts->fields;
    if (is_shp && agglo_shp_check(ctx, path, path, checked) != AGGLO_OK) {
        free(open_path);
        return NULL;
    }

    char **oo = NULL;
    if (opts->encoding && (is_shp || ends_with_ci(path, ".dbf") || open_path || is_dir))
        oo = CSLSetNameValue(oo, "ENCODING", opts->encoding);
    if (is_csv) {
        if (!table_only) {
            oo = CSLSetNameValue(oo, "X_POSSIBLE_NAMES",
                                 opts->x_field ? opts->x_field : "lon,longitude,lng,long,x,X");
            oo = CSLSetNameValue(oo, "Y_POSSIBLE_NAMES",
                                 opts->y_field ? opts->y_field : "lat,latitude,y,Y");
        } else {
            /* an empty cell of a table is a missing value, whatever the column's type */
            oo = CSLSetNameValue(oo, "EMPTY_STRING_AS_NULL", "YES");
        }
        /* column types from a .csvt when there is one, else from every row: GDAL's default
         * looks at the first 1 MB only and then truncates a later 2.5 to the integer 2
         * with a mere warning */
        oo = CSLSetNameValue(oo, "AUTODETECT_TYPE", "YES");
        oo = CSLSetNameValue(oo, "AUTODETECT_SIZE_LIMIT", "0");
        oo = CSLSetNameValue(oo, "KEEP_GEOM_COLUMNS", "YES");
    }
    gdal_errors ge;
    agglo_gdal_push(&ge);
    GDALDatasetH ds = GDALOpenEx(open_path ? open_path : path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, (const char *const *)oo, NULL);
    CSLDestroy(oo);
    agglo_layer *L = NULL;
    OGRSpatialReferenceH src_srs = NULL;
    field_buf *fb = NULL;
    int nf = 0;
    GEOSGeometry **geoms = NULL;
    size_t n = 0, cap = 0;
    unsigned char *wkb = NULL;
    size_t wkb_cap = 0;

    if (!ds && is_dir) {
        /* a directory is a source only when GDAL reads it as one (a directory of Shapefiles,
         * an Esri File Geodatabase .gdb) */
        agglo_error(ctx, AGGLO_E_FORMAT,
                    "%s: a directory GDAL does not read as a vector dataset (give a file, or a "
                    "directory of Shapefiles)%s%s",
                    path, ge.first[0] ? ": " : "", ge.first);
        goto fail;
    }
    if (!ds) {
        agglo_error(ctx, AGGLO_E_FORMAT, "%s: not a vector data source GDAL can read%s%s", path,
                    ge.first[0] ? ": " : "", ge.first);
        goto fail;
    }
    OGRLayerH lyr = NULL;
    if (opts->layer_name) {
        lyr = GDALDatasetGetLayerByName(ds, opts->layer_name);
        if (!lyr) {
            agglo_error(ctx, AGGLO_E_USAGE, "%s: no layer '%s' (it has %d layer%s)", path,
                        opts->layer_name, GDALDatasetGetLayerCount(ds),
                        GDALDatasetGetLayerCount(ds) == 1 ? "" : "s");
            goto fail;
        }
    } else {
        if (GDALDatasetGetLayerCount(ds) < 1) {
            agglo_error(ctx, AGGLO_E_EMPTY, "%s: no layers", path);
            goto fail;
        }
        /* the layers of a directory come in the order the file system lists its files: which
         * is "the first" must be said */
        if (is_dir && GDALDatasetGetLayerCount(ds) > 1) {
            char list[1024];
            size_t used = 0;
            list[0] = '\0';
            for (int k = 0; k < GDALDatasetGetLayerCount(ds) && used + 1 < sizeof list; k++) {
                int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
                                 OGR_L_GetName(GDALDatasetGetLayer(ds, k)));
                if (w > 0)
                    used += (size_t)w;
            }
            agglo_error(ctx, AGGLO_E_USAGE, "%s: a directory of %d layers (%s): choose one with --layer",
                        path, GDALDatasetGetLayerCount(ds), list);
            goto fail;
        }
        lyr = GDALDatasetGetLayer(ds, 0);
    }
    /* A Shapefile reached through a directory or a .zip gets the same byte checks. */
    if (!is_shp && strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "ESRI Shapefile") == 0) {
        const char *shp = CPLFormFilename(open_path ? open_path : path, OGR_L_GetName(lyr), "shp");
        char *shp_copy = strdup(shp);
        VSIStatBufL vs;
        int rc = AGGLO_OK;
        if (shp_copy && VSIStatExL(shp_copy, &vs, VSI_STAT_EXISTS_FLAG) == 0)
            rc = agglo_shp_check(ctx, path, shp_copy, checked);
        free(shp_copy);
        if (rc != AGGLO_OK)
            goto fail;
    }

    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    /* A source without geometry (a CSV without coordinate columns, a .dbf, a GeoPackage
     * attribute table) is a table: one line saying so, before reading anything. */
    if (!table_only && OGR_FD_GetGeomFieldCount(defn) == 0) {
        if (is_csv)
            agglo_error(ctx, AGGLO_E_FIELD,
                        "%s: no x/y (lon/lat) columns found: a table without geometry; name the "
                        "coordinate columns with --x-field and --y-field",
                        path);
        else
            agglo_error(ctx, AGGLO_E_GEOMETRY,
                        "%s: layer '%s' has no geometry (a table): this needs points or polygons",
                        path, OGR_L_GetName(lyr));
        goto fail;
    }
    nf = OGR_FD_GetFieldCount(defn);
    fb = calloc((size_t)(nf ? nf : 1), sizeof *fb);
    if (!fb)
        goto nomem;
    /* Only the named fields are read (the others are ignored by OGR, not even parsed). */
    char **want = NULL;
    int restrict_fields = opts->fields || opts->nvariables;
    if (restrict_fields && wanted_fields(ctx, path, defn, opts, is_csv && !table_only, &want) != AGGLO_OK)
        goto fail;
    if (restrict_fields) {
        for (char **w = want; w && *w; w++) {
            int found = 0;
            for (int j = 0; j < nf && !found; j++)
                found = strcasecmp(*w, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j))) == 0;
            if (!found) {
                char list[1024];
                field_list(defn, list, sizeof list);
                agglo_error(ctx, AGGLO_E_FIELD, "%s: no field '%s' (fields: %s)", path, *w, list);
                CSLDestroy(want);
                goto fail;
            }
        }
    }
    char **ignored = NULL;
    for (int j = 0; j < nf; j++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, j);
        OGRFieldType t = OGR_Fld_GetType(fd);
        const char *name = OGR_Fld_GetNameRef(fd);
        fb[j].skip = 0;
        if (restrict_fields) {
            fb[j].skip = 1;
            for (char **w = want; w && *w; w++)
                if (strcasecmp(*w, name) == 0)
                    fb[j].skip = 0;
            if (fb[j].skip)
                ignored = CSLAddString(ignored, name);
        }
        fb[j].name = strdup(name);
        fb[j].is_string = !(t == OFTInteger || t == OFTInteger64 || t == OFTReal);
        fb[j].is_integer = (t == OFTInteger || t == OFTInteger64);
        fb[j].type = t;
        if (!fb[j].name) {
            CSLDestroy(ignored);
            CSLDestroy(want);
            goto nomem;
        }
    }
    CSLDestroy(want);
    if (table_only)
        ignored = CSLAddString(ignored, "OGR_GEOMETRY");
    if (restrict_fields || table_only) {
        ignored = CSLAddString(ignored, "OGR_STYLE");
        OGR_L_SetIgnoredFields(lyr, (const char **)ignored);
    }
    CSLDestroy(ignored);
    if (opts->where && OGR_L_SetAttributeFilter(lyr, opts->where) != OGRERR_NONE) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: --where '%s' is not a filter OGR accepts%s%s", path,
                    opts->where, ge.first[0] ? ": " : "", ge.first);
        goto fail;
    }

    src_srs = !table_only && OGR_L_GetSpatialRef(lyr) ? OSRClone(OGR_L_GetSpatialRef(lyr)) : NULL;
    if (src_srs && srs_is_undefined(src_srs)) {
        OSRDestroySpatialReference(src_srs);
        src_srs = NULL;
    }
    if (src_srs)
        OSRSetAxisMappingStrategy(src_srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (opts->assign_crs) {
        OGRSpatialReferenceH user = agglo_srs_from_user(ctx, opts->assign_crs);
        if (!user)
            goto fail;
        if (src_srs && !OSRIsSame(src_srs, user)) {
            const char *own = OSRGetName(src_srs);
            if (read_warn(ctx, opts, AGGLO_E_CRS,
                          "%s: --crs %s overrides the layer's own CRS (%s); give --to to "
                          "reproject instead",
                          path, opts->assign_crs, own ? own : "unnamed") != AGGLO_OK) {
                OSRDestroySpatialReference(user);
                goto fail;
            }
        }
        if (src_srs)
            OSRDestroySpatialReference(src_srs);
        src_srs = user;
    }

    if (ge.count) {
        agglo_error(ctx, AGGLO_E_FORMAT, "%s: %s", path, ge.first);
        goto fail;
    }
    if (strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "GPKG") == 0 &&
        check_gpkg_numeric(ctx, path, ds, lyr, fb, nf, &ge) != AGGLO_OK)
        goto fail;
    OGR_L_ResetReading(lyr);
    OGRFeatureH feat;
    agglo_geom_kind kind = AGGLO_GEOM_NONE;
    int columnar = 0;
#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 6, 0)
    if (strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "GPKG") == 0 &&
        !getenv("AGGLO_NO_ARROW")) {
        arrow_reader ar = {NULL, 0, 0, AGGLO_GEOM_NONE};
        int r = read_arrow(ctx, path, lyr, fb, nf, &ar, &ge);
        geoms = ar.geoms;
        n = ar.n;
        cap = ar.cap;
        kind = ar.kind;
        if (r == -2) {
            for (size_t i = 0; i < n; i++)
                if (geoms[i])
                    GEOSGeom_destroy_r(gh, geoms[i]);
            for (int j = 0; j < nf; j++)
                if (fb[j].str)
                    for (size_t i = 0; i < n; i++) {
                        free(fb[j].str[i]);
                        fb[j].str[i] = NULL;
                    }
            n = 0;
            kind = AGGLO_GEOM_NONE;
            ge.count = 0;
            ge.first[0] = '\0';
            OGR_L_ResetReading(lyr);
        } else if (r < 0) {
            goto fail;
        }
        columnar = r == 1;
    }
#endif
    while (!columnar && (feat = OGR_L_GetNextFeature(lyr)) != NULL) {
        if (ge.count) {
            OGR_F_Destroy(feat);
            break;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            if (grow((void **)&geoms, sizeof *geoms, nc)) {
                OGR_F_Destroy(feat);
                goto nomem;
            }
            for (int j = 0; j < nf; j++) {
                if (fb[j].skip)
                    continue;
                if (grow((void **)&fb[j].null, 1, nc) ||
                    (fb[j].is_string ? grow((void **)&fb[j].str, sizeof(char *), nc)
                                     : grow((void **)&fb[j].num, sizeof(double), nc))) {
                    OGR_F_Destroy(feat);
                    goto nomem;
                }
            }
            cap = nc;
        }
        geoms[n] = NULL;
        for (int j = 0; j < nf; j++) {
            if (fb[j].skip)
                continue;
            int isnull = !OGR_F_IsFieldSetAndNotNull(feat, j);
            fb[j].null[n] = (unsigned char)isnull;
            if (fb[j].is_string) {
                fb[j].str[n] = isnull ? NULL : strdup(OGR_F_GetFieldAsString(feat, j));
            } else if (isnull) {
                fb[j].num[n] = NAN;
            } else {
                /* the value as stored: no conversion through text */
                const OGRField *raw = OGR_F_GetRawFieldRef(feat, j);
                fb[j].num[n] = fb[j].type == OFTInteger     ? (double)raw->Integer
                               : fb[j].type == OFTInteger64 ? (double)raw->Integer64
                                                            : raw->Real;
            }
        }
        OGRGeometryH g = table_only ? NULL : OGR_F_GetGeometryRef(feat);
        if (g && !OGR_G_IsEmpty(g)) {
            OGRwkbGeometryType gt = OGR_G_GetGeometryType(g);
            agglo_geom_kind k = kind_of(gt);
            if (kind == AGGLO_GEOM_NONE)
                kind = k;
            else if (k != kind)
                kind = AGGLO_GEOM_MIXED;
            if (wkbFlatten(gt) == wkbPoint) {
                double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0);
                if (isfinite(x) && isfinite(y))
                    geoms[n] = GEOSGeom_createPointFromXY_r(gh, x, y);
            } else {
                geoms[n] = ogr_to_geos_buf(gh, g, &wkb, &wkb_cap);
                if (geoms[n] && !finite_geometry(gh, geoms[n])) {
                    GEOSGeom_destroy_r(gh, geoms[n]);
                    geoms[n] = NULL;
                }
            }
        }
        n++;
        OGR_F_Destroy(feat);
    }
    /* Any error GDAL reports while reading is corruption: never a shorter layer. */
    if (ge.count) {
        agglo_error(ctx, AGGLO_E_FORMAT, "%s: truncated or corrupt at feature %zu: %s", path,
                    n + 1, ge.first);
        goto fail;
    }
    if (n == 0) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: layer has no features%s", path,
                    opts->where ? " matching --where" : "");
        goto fail;
    }
    if (!table_only && is_csv && kind == AGGLO_GEOM_NONE) {
        agglo_error(ctx, AGGLO_E_FIELD,
                    "%s: no x/y (lon/lat) columns found; name them with --x-field and "
                    "--y-field",
                    path);
        goto fail;
    }

    L = layer_new(ctx, n);
    if (!L)
        goto fail;
    memcpy(L->geoms, geoms, n * sizeof *geoms);
    free(geoms);
    geoms = NULL;
    L->path = strdup(path);
    L->name = strdup(OGR_L_GetName(lyr));
    L->kind = kind;
    L->table = agglo_table_create(ctx, n);
    if (!L->path || !L->name || !L->table)
        goto nomem;
    for (int j = 0; j < nf; j++) {
        if (fb[j].skip)
            continue;
        long r = fb[j].is_string
                     ? agglo_table_add_string(ctx, L->table, fb[j].name, (const char *const *)fb[j].str)
                     : agglo_table_add_numeric(ctx, L->table, fb[j].name,
                                               fb[j].is_integer ? AGGLO_COL_INTEGER : AGGLO_COL_REAL,
                                               fb[j].num, fb[j].null);
        if (r < 0) {
            /* A duplicate name (e.g. from a case-insensitive source): keep the first. */
            if (agglo_ctx_errcode(ctx) == AGGLO_E_NOMEM)
                goto fail;
            agglo_ctx_clear_error(ctx);
        }
    }

    /* Checked before any warning so that a re-read does not repeat them.
     * Text that is not UTF-8: a Shapefile without .cpg written in a Chinese code page. GDAL
     * then passes the bytes through; decode them as GB18030 (a superset of GBK and GB2312)
     * and say so, rather than carry invalid UTF-8 into JSON/GPKG outputs. */
    {
        size_t bad_row;
        const char *bad_field;
        if (table_has_invalid_utf8(L->table, &bad_row, &bad_field)) {
            char *cpg = is_shp ? agglo_shp_sidecar(path, "cpg") : NULL;
            if (is_shp && !opts->encoding && !cpg) {
                agglo_read_options retry = *opts;
                retry.encoding = "GB18030";
                agglo_layer *R = layer_read(ctx, path, &retry, table_only);
                if (R && !table_has_invalid_utf8(R->table, &bad_row, &bad_field)) {
                    agglo_layer_free(L);
                    L = R;
                    if (read_warn(ctx, opts, AGGLO_E_FORMAT,
                                  "%s: no .cpg and the text is not UTF-8; decoded it as "
                                  "GB18030/GBK (give --encoding to choose another)",
                                  path) != AGGLO_OK)
                        goto fail;
                    goto done;
                }
                agglo_layer_free(R);
                /* name the cell of this layer, not of the freed re-read */
                table_has_invalid_utf8(L->table, &bad_row, &bad_field);
            }
            free(cpg);
            agglo_error(ctx, AGGLO_E_FORMAT,
                        "%s: field '%s', feature %zu: text is not valid UTF-8; give the encoding "
                        "with --encoding (e.g. GBK)",
                        path, bad_field, bad_row + 1);
            goto fail;
        }
    }

    if (table_only)
        goto done;

    /* A CRS that says degrees over coordinates that cannot be degrees (a GeoPackage written
     * with the wrong srs_id, a .prj copied from elsewhere): the coordinates are planar. */
    if (src_srs && OSRIsGeographic(src_srs)) {
        double ext[4];
        if (agglo_layer_extent(L, ext) == AGGLO_OK &&
            (ext[0] < -180 || ext[2] > 360 || ext[1] < -90 || ext[3] > 90)) {
            const char *nm = OSRGetName(src_srs);
            if (read_warn(ctx, opts, AGGLO_E_CRS,
                          "%s: its CRS (%s) is geographic but the coordinates reach "
                          "[%.10g, %.10g] x [%.10g, %.10g], outside longitude/latitude range; "
                          "treating them as planar with no CRS (give --crs to set one)",
                          path, nm ? nm : "unnamed", ext[0], ext[2], ext[1], ext[3]) != AGGLO_OK)
                goto fail;
            OSRDestroySpatialReference(src_srs);
            src_srs = NULL;
        }
    }
    /* CSV without CRS: lon/lat in range means WGS 84, as every CSV of shops from a web map. */
    if (!src_srs && is_csv) {
        double ext[4];
        if (agglo_layer_extent(L, ext) == AGGLO_OK && ext[0] >= -180 && ext[2] <= 180 &&
            ext[1] >= -90 && ext[3] <= 90) {
            src_srs = agglo_srs_from_user(ctx, "EPSG:4326");
            if (read_warn(ctx, opts, AGGLO_E_CRS,
                          "%s: no CRS given; coordinates look like lon/lat, assuming EPSG:4326",
                          path) != AGGLO_OK)
                goto fail;
        }
    }
    layer_set_crs(L, src_srs);
    if (!src_srs && !is_csv) {
        double ext[4];
        if (agglo_layer_extent(L, ext) == AGGLO_OK && ext[0] >= -180 && ext[2] <= 180 &&
            ext[1] >= -90 && ext[3] <= 90 &&
            read_warn(ctx, opts, AGGLO_E_CRS,
                      "%s: has no CRS%s; its coordinates lie within longitude/latitude range: if "
                      "they are degrees, give --crs EPSG:4326 (distances need a projected CRS)",
                      path, is_shp ? " (no .prj)" : "") != AGGLO_OK)
            goto fail;
    }

    /* Empty / NULL / NaN geometries: excluded from analysis, listed. */
    char ids[200] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        if (!L->geoms[i]) {
            if (L->nnull < 10 && used + 1 < sizeof ids) {
                int k = snprintf(ids + used, sizeof ids - used, "%s%zu", L->nnull ? ", " : "", i + 1);
                if (k > 0)
                    used += (size_t)k;
            }
            L->nnull++;
        }
    if (L->nnull == n) {
        agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: every geometry is NULL, empty or has NaN coordinates", path);
        goto fail;
    }
    if (L->nnull &&
        read_warn(ctx, opts, AGGLO_E_GEOMETRY,
                  "%s: %zu feature%s with NULL, empty or NaN geometry excluded (features %s%s)",
                  path, L->nnull, L->nnull == 1 ? "" : "s", ids,
                  L->nnull > 10 ? ", ..." : "") != AGGLO_OK)
        goto fail;

    /* Polygon validity: tested only when something depends on it (contiguity reads the
     * vertices and does not). Invalid polygons are common in census layers and read with a
     * warning naming the first and GEOS's reason; --make-valid repairs; --strict refuses. */
    if ((kind == AGGLO_GEOM_POLYGON || kind == AGGLO_GEOM_MIXED) &&
        (!opts->skip_validity || opts->make_valid)) {
        size_t first_bad = 0, nbad = 0;
        char *reason = NULL;
        for (size_t i = 0; i < n; i++) {
            if (!L->geoms[i] || GEOSisValid_r(gh, L->geoms[i]) == 1)
                continue;
            if (opts->make_valid) {
                GEOSGeometry *v = GEOSMakeValid_r(gh, L->geoms[i]);
                if (v) {
                    GEOSGeom_destroy_r(gh, L->geoms[i]);
                    L->geoms[i] = v;
                    nbad++;
                    continue;
                }
            }
            if (nbad++ == 0) {
                first_bad = i;
                reason = GEOSisValidReason_r(gh, L->geoms[i]);
            }
        }
        int rc = AGGLO_OK;
        if (opts->make_valid && nbad) {
            rc = read_warn(ctx, opts, AGGLO_E_GEOMETRY,
                           "%s: repaired %zu invalid geometr%s with GEOS MakeValid", path, nbad,
                           nbad == 1 ? "y" : "ies");
        } else if (nbad) {
            L->ninvalid = nbad;
            rc = read_warn(ctx, opts, AGGLO_E_GEOMETRY,
                           "%s: %zu invalid geometr%s kept, first is feature %zu: %s (neighbours "
                           "are found from the vertices; areas, centroids and point-in-polygon "
                           "tests on them may be wrong: --make-valid repairs them)",
                           path, nbad, nbad == 1 ? "y" : "ies", first_bad + 1,
                           reason ? reason : "invalid");
        }
        if (reason)
            GEOSFree_r(gh, reason);
        if (rc != AGGLO_OK)
            goto fail;
    }

    if (opts->to_crs && agglo_layer_transform(ctx, L, opts->to_crs) != AGGLO_OK)
        goto fail;

    goto done;
nomem:
    agglo_error(ctx, AGGLO_E_NOMEM, "%s: out of memory while reading", path);
fail:
    agglo_layer_free(L);
    L = NULL;
    if (geoms) {
        for (size_t i = 0; i < n; i++)
            if (geoms[i])
                GEOSGeom_destroy_r(gh, geoms[i]);
    }
done:
    free(geoms);
    free(wkb);
    free(open_path);
    if (fb) {
        for (int j = 0; j < nf; j++) {
            free(fb[j].name);
            free(fb[j].num);
            free(fb[j].null);
            if (fb[j].str)
                for (size_t i = 0; i < n; i++)
                    free(fb[j].str[i]);
            free(fb[j].str);
        }
        free(fb);
    }
    if (src_srs)
        OSRDestroySpatialReference(src_srs);
    if (ds)
        GDALClose(ds);
    agglo_gdal_pop();
    return L;
}

agglo_layer *agglo_layer_read(agglo_ctx *ctx, const char *path, const agglo_read_options *opts)
{
    return layer_read(ctx, path, opts, 0);
}

agglo_table *agglo_table_read(agglo_ctx *ctx, const char *path, const agglo_read_options *opts)
{
    agglo_layer *L = layer_read(ctx, path, opts, 1);
    if (!L)
        return NULL;
    agglo_table *t = L->table;
    L->table = NULL;
    agglo_layer_free(L);
    return t;
}

size_t agglo_layer_count(const agglo_layer *L) { return L->n; }
const char *agglo_layer_path(const agglo_layer *L) { return L->path ? L->path : "(memory)"; }
const char *agglo_layer_name(const agglo_layer *L) { return L->name ? L->name : "layer"; }
agglo_geom_kind agglo_layer_kind(const agglo_layer *L) { return L->kind; }
const struct GEOSGeom_t *agglo_layer_geometry(const agglo_layer *L, size_t i) { return L->geoms[i]; }
const agglo_table *agglo_layer_table(const agglo_layer *L) { return L->table; }
agglo_table *agglo_layer_table_mut(agglo_layer *L) { return L->table; }
const char *agglo_layer_crs_wkt(const agglo_layer *L) { return L->crs_wkt; }
const char *agglo_layer_crs_name(const agglo_layer *L) { return L->crs_name; }
int agglo_layer_epsg(const agglo_layer *L) { return L->epsg; }
int agglo_layer_is_geographic(const agglo_layer *L) { return L->geographic; }
size_t agglo_layer_null_geometries(const agglo_layer *L) { return L->nnull; }
size_t agglo_layer_invalid_geometries(const agglo_layer *L) { return L->ninvalid; }

int agglo_layer_extent(const agglo_layer *L, double ext[4])
{
    GEOSContextHandle_t gh = agglo_ctx_geos(L->ctx);
    int any = 0;
    ext[0] = ext[1] = INFINITY;
    ext[2] = ext[3] = -INFINITY;
    for (size_t i = 0; i < L->n; i++) {
        double a, b, c, d;
        if (!L->geoms[i] || !GEOSGeom_getXMin_r(gh, L->geoms[i], &a) ||
            !GEOSGeom_getYMin_r(gh, L->geoms[i], &b) || !GEOSGeom_getXMax_r(gh, L->geoms[i], &c) ||
            !GEOSGeom_getYMax_r(gh, L->geoms[i], &d))
            continue;
        any = 1;
        ext[0] = fmin(ext[0], a);
        ext[1] = fmin(ext[1], b);
        ext[2] = fmax(ext[2], c);
        ext[3] = fmax(ext[3], d);
    }
    return any ? AGGLO_OK : AGGLO_E_EMPTY;
}

int agglo_layer_coords(agglo_ctx *ctx, const agglo_layer *L, int on_surface, double *x, double *y)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    for (size_t i = 0; i < L->n; i++) {
        x[i] = y[i] = NAN;
        const GEOSGeometry *g = L->geoms[i];
        if (!g)
            continue;
        if (GEOSGeomTypeId_r(gh, g) == GEOS_POINT) {
            GEOSGeomGetX_r(gh, g, &x[i]);
            GEOSGeomGetY_r(gh, g, &y[i]);
            continue;
        }
        GEOSGeometry *c = on_surface ? GEOSPointOnSurface_r(gh, g) : GEOSGetCentroid_r(gh, g);
        if (!c)
            return agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: feature %zu: cannot compute %s: %s",
                               agglo_layer_path(L), i + 1, on_surface ? "point on surface" : "centroid",
                               agglo_ctx_geos_message(ctx));
        GEOSGeomGetX_r(gh, c, &x[i]);
        GEOSGeomGetY_r(gh, c, &y[i]);
        GEOSGeom_destroy_r(gh, c);
    }
    return AGGLO_OK;
}

void agglo_strings_free(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **agglo_layer_ids(agglo_ctx *ctx, const agglo_layer *L, const char *id_field)
{
    char **ids = agglo_calloc(ctx, L->n, sizeof(char *));
    if (!ids)
        return NULL;
    long col = -1;
    if (id_field) {
        col = agglo_table_find(L->table, id_field);
        if (col < 0) {
            agglo_error(ctx, AGGLO_E_FIELD, "%s: no id field '%s'", agglo_layer_path(L), id_field);
            free(ids);
            return NULL;
        }
    }
    for (size_t i = 0; i < L->n; i++) {
        char buf[256];
        if (col >= 0) {
            if (agglo_table_nulls(L->table, (size_t)col)[i]) {
                agglo_error(ctx, AGGLO_E_FIELD, "%s: id field '%s' is NULL in row %zu",
                            agglo_layer_path(L), id_field, i + 1);
                agglo_strings_free(ids, L->n);
                return NULL;
            }
            agglo_table_cell_text(L->table, i, (size_t)col, buf, sizeof buf);
        } else {
            snprintf(buf, sizeof buf, "%zu", i + 1);
        }
        ids[i] = strdup(buf);
        if (!ids[i]) {
            agglo_strings_free(ids, L->n);
            agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            return NULL;
        }
    }
    if (col >= 0 && L->n > 1) {
        char **sorted = malloc(L->n * sizeof(char *));
        if (sorted) {
            memcpy(sorted, ids, L->n * sizeof(char *));
            qsort(sorted, L->n, sizeof(char *), cmp_str);
            for (size_t i = 1; i < L->n; i++)
                if (strcmp(sorted[i - 1], sorted[i]) == 0) {
                    agglo_error(ctx, AGGLO_E_FIELD, "%s: id field '%s' is not unique ('%s' repeats)",
                                agglo_layer_path(L), id_field, sorted[i]);
                    free(sorted);
                    agglo_strings_free(ids, L->n);
                    return NULL;
                }
            free(sorted);
        }
    }
    return ids;
}

/* GEOS -> OGR through WKB. */
static OGRGeometryH geos_to_ogr(GEOSContextHandle_t gh, const GEOSGeometry *g)
{
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(gh);
    size_t size = 0;
    unsigned char *buf = GEOSWKBWriter_write_r(gh, w, g, &size);
    GEOSWKBWriter_destroy_r(gh, w);
    if (!buf)
        return NULL;
    OGRGeometryH out = NULL;
    if (OGR_G_CreateFromWkbEx(buf, NULL, &out, size) != OGRERR_NONE)
        out = NULL;
    GEOSFree_r(gh, buf);
    return out;
}

int agglo_layer_transform(agglo_ctx *ctx, agglo_layer *L, const char *to_crs)
{
    if (!L->crs_wkt)
        return agglo_error(ctx, AGGLO_E_CRS, "%s: has no CRS, cannot reproject to %s",
                           agglo_layer_path(L), to_crs);
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    OGRSpatialReferenceH src = agglo_srs_from_user(ctx, L->crs_wkt);
    OGRSpatialReferenceH dst = src ? agglo_srs_from_user(ctx, to_crs) : NULL;
    if (!src || !dst) {
        if (src)
            OSRDestroySpatialReference(src);
        return agglo_ctx_errcode(ctx);
    }
    gdal_errors ge;
    agglo_gdal_push(&ge);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(src, dst);
    int rc = AGGLO_OK;
    if (!ct) {
        rc = agglo_error(ctx, AGGLO_E_CRS, "%s: no transformation to %s: %s", agglo_layer_path(L),
                         to_crs, ge.last);
    } else {
        for (size_t i = 0; i < L->n && rc == AGGLO_OK; i++) {
            if (!L->geoms[i])
                continue;
            OGRGeometryH g = geos_to_ogr(gh, L->geoms[i]);
            if (!g || OGR_G_Transform(g, ct) != OGRERR_NONE) {
                rc = agglo_error(ctx, AGGLO_E_CRS, "%s: feature %zu cannot be transformed to %s%s%s",
                                 agglo_layer_path(L), i + 1, to_crs, ge.last[0] ? ": " : "", ge.last);
            } else {
                GEOSGeometry *ng = ogr_to_geos(gh, g);
                if (!ng) {
                    rc = agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: feature %zu: conversion failed",
                                     agglo_layer_path(L), i + 1);
                } else {
                    GEOSGeom_destroy_r(gh, L->geoms[i]);
                    L->geoms[i] = ng;
                }
            }
            if (g)
                OGR_G_DestroyGeometry(g);
        }
        OCTDestroyCoordinateTransformation(ct);
    }
    agglo_gdal_pop();
    if (rc == AGGLO_OK)
        layer_set_crs(L, dst);
    OSRDestroySpatialReference(src);
    OSRDestroySpatialReference(dst);
    return rc;
}

int agglo_layer_same_crs(const agglo_layer *a, const agglo_layer *b)
{
    if (!a->crs_wkt || !b->crs_wkt)
        return !a->crs_wkt && !b->crs_wkt;
    if (strcmp(a->crs_wkt, b->crs_wkt) == 0)
        return 1;
    OGRSpatialReferenceH sa = OSRNewSpatialReference(NULL), sb = OSRNewSpatialReference(NULL);
    int same = OSRSetFromUserInput(sa, a->crs_wkt) == OGRERR_NONE &&
               OSRSetFromUserInput(sb, b->crs_wkt) == OGRERR_NONE && OSRIsSame(sa, sb);
    OSRDestroySpatialReference(sa);
    OSRDestroySpatialReference(sb);
    return same;
}

/* ---- writing ---- */

#include <cpl_vsi.h>
#include <fcntl.h>
#include <unistd.h>

static int driver_can_write_vectors(GDALDriverH drv)
{
    return GDALGetMetadataItem(drv, GDAL_DCAP_VECTOR, NULL) &&
           GDALGetMetadataItem(drv, GDAL_DCAP_CREATE, NULL);
}

/* 1 when ext is one of the driver's extensions (GDAL_DMD_EXTENSIONS is space-separated). */
static int driver_has_extension(GDALDriverH drv, const char *ext)
{
    const char *list = GDALGetMetadataItem(drv, GDAL_DMD_EXTENSIONS, NULL);
    if (!list)
        list = GDALGetMetadataItem(drv, GDAL_DMD_EXTENSION, NULL);
    if (!list)
        return 0;
    size_t n = strlen(ext);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        const char *q = p;
        while (*q && *q != ' ')
            q++;
        if ((size_t)(q - p) == n && strncasecmp(p, ext, n) == 0)
            return 1;
        p = q;
    }
    return 0;
}

/* The GDAL driver of a vector output: the context's format (--format NAME) or the
 * extension, looked up among every driver of this GDAL build that creates vector data. */
static GDALDriverH driver_for(agglo_ctx *ctx, const char *path)
{
    const char *fmt = agglo_ctx_output_format(ctx);
    if (fmt) {
        GDALDriverH drv = GDALGetDriverByName(fmt);
        if (!drv) {
            agglo_error(ctx, AGGLO_E_USAGE,
                        "%s: this GDAL build has no driver named '%s' ('ogrinfo --formats' "
                        "lists them)", path, fmt);
            return NULL;
        }
        if (!driver_can_write_vectors(drv)) {
            agglo_error(ctx, AGGLO_E_USAGE, "%s: GDAL's %s driver cannot create vector layers",
                        path, fmt);
            return NULL;
        }
        return drv;
    }
    char ext[32];
    agglo_path_ext(path, ext, sizeof ext);
    /* the usual ones first, so that an extension shared by several drivers means what it
     * has always meant here */
    static const char *const common[][2] = {{"gpkg", "GPKG"},         {"shp", "ESRI Shapefile"},
                                            {"geojson", "GeoJSON"},   {"json", "GeoJSON"},
                                            {"fgb", "FlatGeobuf"},    {"csv", "CSV"},
                                            {"kml", "LIBKML"},        {"kml", "KML"},
                                            {"parquet", "Parquet"},   {"gml", "GML"},
                                            {"sqlite", "SQLite"},     {"gpx", "GPX"},
                                            {"geojsonl", "GeoJSONSeq"}, {"geojsons", "GeoJSONSeq"}};
    for (size_t i = 0; *ext && i < sizeof common / sizeof common[0]; i++) {
        if (strcmp(ext, common[i][0]) != 0)
            continue;
        GDALDriverH drv = GDALGetDriverByName(common[i][1]);
        if (drv && driver_can_write_vectors(drv))
            return drv;
    }
    for (int i = 0; *ext && i < GDALGetDriverCount(); i++) {
        GDALDriverH drv = GDALGetDriver(i);
        if (driver_can_write_vectors(drv) && driver_has_extension(drv, ext))
            return drv;
    }
    agglo_error(ctx, AGGLO_E_USAGE,
                "%s: no GDAL driver of this build writes %s%s vector files (name one with "
                "--format, e.g. GPKG)", path, *ext ? "." : "extension-less", ext);
    return NULL;
}

static char *stem_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot ? strndup(base, (size_t)(dot - base)) : strdup(base);
}

/* Longest prefix of s of at most max bytes that does not cut a UTF-8 character. */
static size_t utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* dBASE field names: at most 10 bytes, unique without regard to case. Names are cut at a
 * character boundary, clashes get _1, _2, ... Returns malloc'd names (NULL on no memory)
 * and warns once listing every renamed field. */
static char **shapefile_field_names(agglo_ctx *ctx, const agglo_table *t, const char *path)
{
    size_t nc = agglo_table_ncols(t);
    char **names = calloc(nc ? nc : 1, sizeof *names);
    if (!names)
        return NULL;
    size_t msglen = 0, msgcap = 256;
    char *msg = malloc(msgcap);
    if (!msg) {
        free(names);
        return NULL;
    }
    msg[0] = '\0';
    size_t nrenamed = 0;
    for (size_t j = 0; j < nc; j++) {
        const char *orig = agglo_table_col_name(t, j);
        char cand[64];
        size_t k = utf8_prefix(orig, 10);
        snprintf(cand, sizeof cand, "%.*s", (int)k, orig);
        for (int suffix = 1;; suffix++) {
            int clash = 0;
            for (size_t i = 0; i < j && !clash; i++)
                clash = strcasecmp(names[i], cand) == 0;
            if (!clash)
                break;
            char tail[16];
            int lt = snprintf(tail, sizeof tail, "_%d", suffix);
            size_t keep = utf8_prefix(orig, 10 - (size_t)lt);
            snprintf(cand, sizeof cand, "%.*s%s", (int)keep, orig, tail);
        }
        names[j] = strdup(cand);
        if (!names[j]) {
            for (size_t i = 0; i < j; i++)
                free(names[i]);
            free(names);
            free(msg);
            return NULL;
        }
        if (strcmp(cand, orig) != 0) {
            size_t need = msglen + strlen(orig) + strlen(cand) + 16;
            if (need > msgcap) {
                char *m = realloc(msg, msgcap = 2 * need);
                if (!m)
                    continue;
                msg = m;
            }
            msglen += (size_t)sprintf(msg + msglen, "%s'%s' -> '%s'", nrenamed ? ", " : "", orig, cand);
            nrenamed++;
        }
    }
    if (nrenamed)
        agglo_warn(ctx, "%s: Shapefile field names have at most 10 bytes; %zu field(s) renamed: %s",
                   path, nrenamed, msg);
    free(msg);
    return names;
}

/* Writes len bytes to a new file path, checking every write, fsync and close. */
static int write_whole_file(agglo_ctx *ctx, const char *path, const char *shown,
                            const unsigned char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (%s)", shown, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            close(fd);
            return agglo_error(ctx, AGGLO_E_IO, "%s: write failed (%s)", shown, strerror(err));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 && errno != EINVAL) {
        int err = errno;
        close(fd);
        return agglo_error(ctx, AGGLO_E_IO, "%s: write failed (%s)", shown, strerror(err));
    }
    if (close(fd) != 0)
        return agglo_error(ctx, AGGLO_E_IO, "%s: write failed (%s)", shown, strerror(errno));
    return AGGLO_OK;
}

/* Copies every file of the in-memory directory memdir into dir with checked writes and
 * removes them from memory. */
static int flush_memdir(agglo_ctx *ctx, const char *memdir, const char *dir, const char *shown)
{
    char **files = VSIReadDir(memdir);
    int rc = AGGLO_OK;
    for (char **f = files; f && *f; f++) {
        if (strcmp(*f, ".") == 0 || strcmp(*f, "..") == 0)
            continue;
        char *src = NULL, *dst = NULL;
        if (asprintf(&src, "%s/%s", memdir, *f) < 0)
            src = NULL;
        if (asprintf(&dst, "%s/%s", dir, *f) < 0)
            dst = NULL;
        if (!src || !dst) {
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        } else if (rc == AGGLO_OK) {
            vsi_l_offset len = 0;
            GByte *buf = VSIGetMemFileBuffer(src, &len, FALSE);
            if (!buf && len)
                rc = agglo_error(ctx, AGGLO_E_IO, "%s: lost in-memory output %s", shown, *f);
            else
                rc = write_whole_file(ctx, dst, shown, buf, (size_t)len);
        }
        if (src)
            VSIUnlink(src);
        free(src);
        free(dst);
    }
    CSLDestroy(files);
    VSIRmdirRecursive(memdir);
    return rc;
}

int agglo_layer_write(agglo_ctx *ctx, const agglo_layer *L, const char *path, const char *layer_name)
{
    /* a warning under strict mode: nothing is written (checked again at the commit) */
    if (agglo_ctx_check_strict(ctx) != AGGLO_OK)
        return AGGLO_E_STRICT;
    agglo_gdal_init();
    GDALDriverH drv = driver_for(ctx, path);
    if (!drv)
        return agglo_ctx_errcode(ctx);
    const char *drvname = GDALGetDriverShortName(drv);
    int is_csv = strcmp(drvname, "CSV") == 0;
    int is_shp = strcmp(drvname, "ESRI Shapefile") == 0;
    int virtual_io = GDALGetMetadataItem(drv, GDAL_DCAP_VIRTUALIO, NULL) != NULL;
    int to_stdout = agglo_output_is_stdout(path);
    if (to_stdout && !virtual_io)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: GDAL's %s driver cannot write to a stream",
                           path, drvname);
    /* the file to replace (through symlinks; devices refused), its temporary directory and,
     * when the driver can write through GDAL's virtual file system, an in-memory directory
     * that is copied there with every write checked (some drivers ignore a full disk) */
    char *target = NULL, *tmpdir = NULL, *memdir = NULL, *tmppath = NULL;
    char *stem = stem_of(path);
    static int mem_serial;
    if (!to_stdout) {
        if (!(target = agglo_output_target(ctx, path))) {
            free(stem);
            return agglo_ctx_errcode(ctx);
        }
        if (!(tmpdir = agglo_output_tempdir(ctx, target))) {
            free(target);
            free(stem);
            return agglo_ctx_errcode(ctx);
        }
        const char *slash = strrchr(target, '/');
        const char *base = slash ? slash + 1 : target;
        if (virtual_io && asprintf(&memdir, "/vsimem/agglo_out_%ld_%d", (long)getpid(), ++mem_serial) < 0)
            memdir = NULL;
        if (asprintf(&tmppath, "%s/%s", memdir ? memdir : tmpdir, base) < 0)
            tmppath = NULL;
    } else {
        tmppath = strdup("/vsistdout/");
    }
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    gdal_errors ge;
    agglo_gdal_push(&ge);
    int rc = AGGLO_OK;
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH srs = NULL;
    char **lco = NULL, **names = NULL;
    size_t ncols = agglo_table_ncols(L->table);
    if (!tmppath || !stem || (virtual_io && !to_stdout && !memdir)) {
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto out;
    }
    if (memdir)
        VSIMkdir(memdir, 0755);
    ds = GDALCreate(drv, tmppath, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot create: %s", path, ge.last);
        goto out;
    }
    if (L->crs_wkt) {
        srs = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(srs, L->crs_wkt) != OGRERR_NONE) {
            OSRDestroySpatialReference(srs);
            srs = NULL;
        } else {
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        }
    }
    OGRwkbGeometryType gtype = L->kind == AGGLO_GEOM_POINT     ? wkbUnknown
                               : L->kind == AGGLO_GEOM_POLYGON ? wkbMultiPolygon
                               : L->kind == AGGLO_GEOM_LINE    ? wkbMultiLineString
                                                               : wkbUnknown;
    /* Points stay points; polygons are promoted to multipolygons so mixed single/multi
     * features fit one Shapefile/GPKG layer type. */
    if (L->kind == AGGLO_GEOM_POINT) {
        gtype = wkbPoint;
        for (size_t i = 0; i < L->n; i++)
            if (L->geoms[i] && GEOSGeomTypeId_r(gh, L->geoms[i]) != GEOS_POINT)
                gtype = wkbMultiPoint;
    }
    if (is_shp)
        lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
    if (is_csv)
        lco = CSLSetNameValue(lco, "GEOMETRY", L->kind == AGGLO_GEOM_POINT ? "AS_XY" : "AS_WKT");
    /* the user's --lco last: they override the defaults above */
    for (char *const *o = agglo_ctx_output_lco(ctx); o && *o; o++) {
        char *key = NULL;
        const char *val = CPLParseNameValue(*o, &key);
        if (!key || !val) {
            CPLFree(key);
            rc = agglo_error(ctx, AGGLO_E_USAGE, "--lco '%s': expected NAME=VALUE", *o);
            goto out;
        }
        lco = CSLSetNameValue(lco, key, val);
        CPLFree(key);
    }
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, layer_name ? layer_name : stem, srs, gtype, lco);
    if (!lyr) {
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot create layer: %s", path, ge.last);
        goto out;
    }
    if (is_shp && !(names = shapefile_field_names(ctx, L->table, path))) {
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t j = 0; j < ncols; j++) {
        agglo_col_type t = agglo_table_col_type(L->table, j);
        OGRFieldDefnH fd = OGR_Fld_Create(names ? names[j] : agglo_table_col_name(L->table, j),
                                          t == AGGLO_COL_STRING    ? OFTString
                                          : t == AGGLO_COL_INTEGER ? OFTInteger64
                                                                   : OFTReal);
        if (t == AGGLO_COL_REAL && is_shp) {
            OGR_Fld_SetWidth(fd, 24);
            OGR_Fld_SetPrecision(fd, 15);
        }
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) {
            rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot create field '%s': %s", path,
                             agglo_table_col_name(L->table, j), ge.last);
            goto out;
        }
    }
    /* one transaction for all features (GPKG/SQLite: one commit instead of one per row);
     * a dataset-level one where the driver has it, else the layer's */
    int ds_transaction = GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    int in_transaction = !ds_transaction && OGR_L_StartTransaction(lyr) == OGRERR_NONE;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    /* columns map to fields in order; a driver that dropped one would shift the rest */
    if (OGR_FD_GetFieldCount(defn) != (int)ncols)
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: the %s driver did not create every field", path, drvname);
    OGRFeatureH f = rc == AGGLO_OK ? OGR_F_Create(defn) : NULL;
    for (size_t i = 0; i < L->n && rc == AGGLO_OK; i++) {
        for (size_t j = 0; j < ncols; j++) {
            if (agglo_table_nulls(L->table, j)[i]) {
                OGR_F_SetFieldNull(f, (int)j);
                continue;
            }
            agglo_col_type t = agglo_table_col_type(L->table, j);
            if (t == AGGLO_COL_STRING)
                OGR_F_SetFieldString(f, (int)j, agglo_table_strings(L->table, j)[i]);
            else if (t == AGGLO_COL_INTEGER)
                OGR_F_SetFieldInteger64(f, (int)j, (GIntBig)llround(agglo_table_numeric(L->table, j)[i]));
            else
                OGR_F_SetFieldDouble(f, (int)j, agglo_table_numeric(L->table, j)[i]);
        }
        OGRGeometryH g = NULL;
        if (L->geoms[i]) {
            g = geos_to_ogr(gh, L->geoms[i]);
            if (g && gtype == wkbMultiPolygon && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
                g = OGR_G_ForceToMultiPolygon(g);
            if (g && gtype == wkbMultiPoint && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint)
                g = OGR_G_ForceToMultiPoint(g);
        }
        OGR_F_SetGeometryDirectly(f, g); /* replaces (and frees) the previous row's */
        OGR_F_SetFID(f, OGRNullFID);
        if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
            rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot write feature %zu: %s", path, i + 1, ge.last);
    }
    if (f)
        OGR_F_Destroy(f);
    if (rc == AGGLO_OK && ds_transaction && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot commit: %s", path, ge.last);
    if (rc == AGGLO_OK && in_transaction && OGR_L_CommitTransaction(lyr) != OGRERR_NONE)
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot commit: %s", path, ge.last);
out:
    CSLDestroy(lco);
    if (names)
        for (size_t j = 0; j < ncols; j++)
            free(names[j]);
    free(names);
    if (srs)
        OSRDestroySpatialReference(srs);
    if (ds) {
        /* errors raised while flushing on close count as write errors */
        GDALClose(ds);
        if (rc == AGGLO_OK && ge.count)
            rc = agglo_error(ctx, AGGLO_E_IO, "%s: write failed: %s", path, ge.last);
    }
    agglo_gdal_pop();
    if (memdir) {
        if (rc == AGGLO_OK)
            rc = flush_memdir(ctx, memdir, tmpdir, path);
        else
            VSIRmdirRecursive(memdir);
    }
    if (tmpdir) {
        if (rc == AGGLO_OK)
            rc = agglo_output_tempdir_commit(ctx, tmpdir, target);
        else
            agglo_output_tempdir_abort(tmpdir);
    }
    free(tmpdir);
    free(memdir);
    free(tmppath);
    free(target);
    free(stem);
    return rc;
}

agglo_layer *agglo_layer_create(agglo_ctx *ctx, size_t n, struct GEOSGeom_t **geoms,
                                agglo_table *table, const char *crs)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    agglo_layer *L = layer_new(ctx, n);
    if (!L || (table && agglo_table_nrows(table) != n)) {
        if (L)
            agglo_error(ctx, AGGLO_E_USAGE, "table rows differ from geometry count");
        for (size_t i = 0; i < n; i++)
            if (geoms && geoms[i])
                GEOSGeom_destroy_r(gh, geoms[i]);
        agglo_table_free(table);
        agglo_layer_free(L);
        return NULL;
    }
    agglo_geom_kind kind = AGGLO_GEOM_NONE;
    for (size_t i = 0; i < n; i++) {
        L->geoms[i] = geoms ? geoms[i] : NULL;
        if (!L->geoms[i]) {
            L->nnull++;
            continue;
        }
        int t = GEOSGeomTypeId_r(gh, L->geoms[i]);
        agglo_geom_kind k = (t == GEOS_POINT || t == GEOS_MULTIPOINT) ? AGGLO_GEOM_POINT
                            : (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON) ? AGGLO_GEOM_POLYGON
                            : (t == GEOS_LINESTRING || t == GEOS_MULTILINESTRING) ? AGGLO_GEOM_LINE
                                                                                   : AGGLO_GEOM_MIXED;
        kind = kind == AGGLO_GEOM_NONE ? k : (kind == k ? kind : AGGLO_GEOM_MIXED);
    }
    L->kind = kind;
    L->table = table ? table : agglo_table_create(ctx, n);
    if (!L->table) {
        agglo_layer_free(L);
        return NULL;
    }
    if (crs) {
        OGRSpatialReferenceH srs = agglo_srs_from_user(ctx, crs);
        if (!srs) {
            agglo_layer_free(L);
            return NULL;
        }
        layer_set_crs(L, srs);
        OSRDestroySpatialReference(srs);
    }
    return L;
}

agglo_layer *agglo_layer_subset(agglo_ctx *ctx, const agglo_layer *L, const size_t *keep, size_t nkeep)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    GEOSGeometry **g = agglo_calloc(ctx, nkeep ? nkeep : 1, sizeof *g);
    agglo_table *t = agglo_table_subset(ctx, L->table, keep, nkeep);
    if (!g || !t) {
        free(g);
        agglo_table_free(t);
        return NULL;
    }
    for (size_t i = 0; i < nkeep; i++)
        g[i] = L->geoms[keep[i]] ? GEOSGeom_clone_r(gh, L->geoms[keep[i]]) : NULL;
    agglo_layer *S = agglo_layer_create(ctx, nkeep, g, t, L->crs_wkt);
    free(g);
    if (S) {
        S->path = strdup(agglo_layer_path(L));
        S->name = strdup(agglo_layer_name(L));
        S->kind = L->kind;
    }
    return S;
}
