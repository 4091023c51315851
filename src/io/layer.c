/* Layer reading and writing through GDAL/OGR; geometries held as GEOS geometries. */
#define _GNU_SOURCE
#include "agglo/layer.h"
#include "agglo/output.h"
#include "../core/core_internal.h"
#include "gdal_util.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <geos_c.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Looks for a Shapefile sidecar with the extension in either case. */
static int sidecar_exists(const char *shp, const char *ext_lower)
{
    size_t len = strlen(shp);
    char *p = malloc(len + 1);
    if (!p)
        return 0;
    memcpy(p, shp, len + 1);
    int found = 0;
    for (int upper = 0; upper < 2 && !found; upper++) {
        for (int k = 0; k < 3; k++)
            p[len - 3 + k] = upper ? (char)(ext_lower[k] - 'a' + 'A') : ext_lower[k];
        found = file_exists(p);
    }
    free(p);
    return found;
}

static char *sidecar_path(const char *shp, const char *ext_lower)
{
    size_t len = strlen(shp);
    for (int upper = 0; upper < 2; upper++) {
        char *p = strdup(shp);
        if (!p)
            return NULL;
        for (int k = 0; k < 3; k++)
            p[len - 3 + k] = upper ? (char)(ext_lower[k] - 'a' + 'A') : ext_lower[k];
        if (file_exists(p))
            return p;
        free(p);
    }
    return NULL;
}

/* Record counts of a Shapefile's .shx (index entries) and .dbf (header), which must agree. */
static int check_shapefile(agglo_ctx *ctx, const char *path)
{
    if (!sidecar_exists(path, "shx"))
        return agglo_error(ctx, AGGLO_E_IO, "%s: missing .shx index file beside it", path);
    if (!sidecar_exists(path, "dbf"))
        return agglo_error(ctx, AGGLO_E_IO, "%s: missing .dbf attribute file beside it", path);
    char *shx = sidecar_path(path, "shx"), *dbf = sidecar_path(path, "dbf");
    int rc = AGGLO_OK;
    struct stat st;
    FILE *f = dbf ? fopen(dbf, "rb") : NULL;
    unsigned char hdr[8];
    if (shx && f && stat(shx, &st) == 0 && fread(hdr, 1, 8, f) == 8) {
        long shx_records = st.st_size >= 100 ? (long)((st.st_size - 100) / 8) : -1;
        long dbf_records = (long)hdr[4] | ((long)hdr[5] << 8) | ((long)hdr[6] << 16) |
                           ((long)hdr[7] << 24);
        if (shx_records != dbf_records)
            rc = agglo_error(ctx, AGGLO_E_FORMAT,
                             "%s: record counts differ: .shx has %ld shapes, .dbf has %ld records",
                             path, shx_records, dbf_records);
    }
    if (f)
        fclose(f);
    free(shx);
    free(dbf);
    return rc;
}

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

agglo_layer *agglo_layer_read(agglo_ctx *ctx, const char *path, const agglo_read_options *opts_in)
{
    agglo_read_options defaults;
    agglo_read_options_init(&defaults);
    const agglo_read_options *opts = opts_in ? opts_in : &defaults;
    agglo_gdal_init();
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);

    int is_vsi = strncmp(path, "/vsi", 4) == 0;
    if (!is_vsi && !file_exists(path)) {
        agglo_error(ctx, AGGLO_E_IO, "%s: no such file", path);
        return NULL;
    }
    int is_shp = ends_with_ci(path, ".shp");
    int is_csv = ends_with_ci(path, ".csv");
    if (is_shp && check_shapefile(ctx, path) != AGGLO_OK)
        return NULL;

    char **oo = NULL;
    if (opts->encoding && is_shp)
        oo = CSLSetNameValue(oo, "ENCODING", opts->encoding);
    if (is_csv) {
        oo = CSLSetNameValue(oo, "X_POSSIBLE_NAMES",
                             opts->x_field ? opts->x_field : "lon,longitude,lng,long,x,X");
        oo = CSLSetNameValue(oo, "Y_POSSIBLE_NAMES",
                             opts->y_field ? opts->y_field : "lat,latitude,y,Y");
        oo = CSLSetNameValue(oo, "AUTODETECT_TYPE", "YES");
        oo = CSLSetNameValue(oo, "KEEP_GEOM_COLUMNS", "YES");
    }
    gdal_errors ge;
    agglo_gdal_push(&ge);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 (const char *const *)oo, NULL);
    CSLDestroy(oo);
    agglo_layer *L = NULL;
    OGRSpatialReferenceH src_srs = NULL;
    field_buf *fb = NULL;
    int nf = 0;
    GEOSGeometry **geoms = NULL;
    size_t n = 0, cap = 0;

    if (!ds) {
        agglo_error(ctx, AGGLO_E_FORMAT, "%s: not a vector data source GDAL can read%s%s", path,
                    ge.last[0] ? ": " : "", ge.last);
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
        lyr = GDALDatasetGetLayer(ds, 0);
    }

    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    nf = OGR_FD_GetFieldCount(defn);
    fb = calloc((size_t)(nf ? nf : 1), sizeof *fb);
    if (!fb)
        goto nomem;
    for (int j = 0; j < nf; j++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, j);
        OGRFieldType t = OGR_Fld_GetType(fd);
        fb[j].name = strdup(OGR_Fld_GetNameRef(fd));
        fb[j].is_string = !(t == OFTInteger || t == OFTInteger64 || t == OFTReal);
        fb[j].is_integer = (t == OFTInteger || t == OFTInteger64);
        if (!fb[j].name)
            goto nomem;
    }

    src_srs = OGR_L_GetSpatialRef(lyr) ? OSRClone(OGR_L_GetSpatialRef(lyr)) : NULL;
    if (src_srs)
        OSRSetAxisMappingStrategy(src_srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (!src_srs && opts->assign_crs) {
        src_srs = agglo_srs_from_user(ctx, opts->assign_crs);
        if (!src_srs)
            goto fail;
    }

    OGR_L_ResetReading(lyr);
    OGRFeatureH feat;
    agglo_geom_kind kind = AGGLO_GEOM_NONE;
    while ((feat = OGR_L_GetNextFeature(lyr)) != NULL) {
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            if (grow((void **)&geoms, sizeof *geoms, nc)) {
                OGR_F_Destroy(feat);
                goto nomem;
            }
            for (int j = 0; j < nf; j++) {
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
            int isnull = !OGR_F_IsFieldSetAndNotNull(feat, j);
            fb[j].null[n] = (unsigned char)isnull;
            if (fb[j].is_string) {
                fb[j].str[n] = isnull ? NULL : strdup(OGR_F_GetFieldAsString(feat, j));
            } else {
                fb[j].num[n] = isnull ? NAN : OGR_F_GetFieldAsDouble(feat, j);
            }
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(feat);
        if (g && !OGR_G_IsEmpty(g)) {
            agglo_geom_kind k = kind_of(OGR_G_GetGeometryType(g));
            if (kind == AGGLO_GEOM_NONE)
                kind = k;
            else if (k != kind)
                kind = AGGLO_GEOM_MIXED;
            geoms[n] = ogr_to_geos(gh, g);
            if (geoms[n] && !finite_geometry(gh, geoms[n])) {
                GEOSGeom_destroy_r(gh, geoms[n]);
                geoms[n] = NULL;
            }
        }
        n++;
        OGR_F_Destroy(feat);
    }
    if (ge.count && n == 0) {
        agglo_error(ctx, AGGLO_E_FORMAT, "%s: %s", path, ge.last);
        goto fail;
    }
    if (n == 0) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: layer has no features", path);
        goto fail;
    }
    if (is_csv && kind == AGGLO_GEOM_NONE) {
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
            if (is_shp && !opts->encoding && !sidecar_exists(path, "cpg")) {
                agglo_read_options retry = *opts;
                retry.encoding = "GB18030";
                agglo_layer *R = agglo_layer_read(ctx, path, &retry);
                if (R && !table_has_invalid_utf8(R->table, &bad_row, &bad_field)) {
                    agglo_warn(ctx,
                               "%s: no .cpg and the text is not UTF-8; decoded it as GB18030/GBK "
                               "(give --encoding to choose another)",
                               path);
                    agglo_layer_free(L);
                    L = R;
                    goto done;
                }
                agglo_layer_free(R);
                /* name the cell of this layer, not of the freed re-read */
                table_has_invalid_utf8(L->table, &bad_row, &bad_field);
            }
            agglo_error(ctx, AGGLO_E_FORMAT,
                        "%s: field '%s', feature %zu: text is not valid UTF-8; give the encoding "
                        "with --encoding (e.g. GBK)",
                        path, bad_field, bad_row + 1);
            goto fail;
        }
    }

    /* CSV without CRS: lon/lat in range means WGS 84, as every CSV of shops from a web map. */
    if (!src_srs && is_csv) {
        double ext[4];
        if (agglo_layer_extent(L, ext) == AGGLO_OK && ext[0] >= -180 && ext[2] <= 180 &&
            ext[1] >= -90 && ext[3] <= 90) {
            src_srs = agglo_srs_from_user(ctx, "EPSG:4326");
            agglo_warn(ctx, "%s: no CRS given; coordinates look like lon/lat, assuming EPSG:4326",
                       path);
        }
    }
    layer_set_crs(L, src_srs);
    if (!src_srs && !is_csv) {
        double ext[4];
        if (agglo_layer_extent(L, ext) == AGGLO_OK && ext[0] >= -180 && ext[2] <= 180 &&
            ext[1] >= -90 && ext[3] <= 90)
            agglo_warn(ctx,
                       "%s: has no CRS%s; its coordinates lie within longitude/latitude range: if "
                       "they are degrees, give --crs EPSG:4326 (distances need a projected CRS)",
                       path, is_shp ? " (no .prj)" : "");
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
    if (L->nnull)
        agglo_warn(ctx, "%s: %zu feature%s with NULL, empty or NaN geometry excluded (features %s%s)",
                   path, L->nnull, L->nnull == 1 ? "" : "s", ids, L->nnull > 10 ? ", ..." : "");

    /* Polygon validity: GEOS's reason for the first invalid one. */
    if (kind == AGGLO_GEOM_POLYGON || kind == AGGLO_GEOM_MIXED) {
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
        if (opts->make_valid && nbad) {
            agglo_warn(ctx, "%s: repaired %zu invalid geometr%s with GEOS MakeValid", path, nbad,
                       nbad == 1 ? "y" : "ies");
        } else if (nbad && !opts->allow_invalid) {
            agglo_error(ctx, AGGLO_E_GEOMETRY,
                        "%s: %zu invalid geometr%s, first is feature %zu: %s (use --make-valid to repair)",
                        path, nbad, nbad == 1 ? "y" : "ies", first_bad + 1, reason ? reason : "invalid");
            GEOSFree_r(gh, reason);
            goto fail;
        } else if (nbad) {
            L->ninvalid = nbad;
            agglo_warn(ctx, "%s: %zu invalid geometr%s kept, first is feature %zu: %s", path, nbad,
                       nbad == 1 ? "y" : "ies", first_bad + 1, reason ? reason : "invalid");
        }
        if (reason)
            GEOSFree_r(gh, reason);
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
