/* GeoTIFF output of a grid through GDAL's C API, written atomically (temporary directory in
 * the destination directory, then renamed into place). */
#define _GNU_SOURCE
#include "agglo/kde.h"
#include "agglo/output.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "../io/gdal_util.h"

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int agglo_raster_write_geotiff(agglo_ctx *ctx, const char *path, const double *values,
                               const agglo_grid *g, const char *crs_wkt, double nodata,
                               int float32)
{
    char ext[16];
    agglo_path_ext(path, ext, sizeof ext);
    if (strcmp(ext, "tif") && strcmp(ext, "tiff"))
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: raster output must be a GeoTIFF (.tif)", path);
    if (g->ncols > 2147483647u || g->nrows > 2147483647u)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: grid too large for GeoTIFF", path);
    agglo_gdal_init();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return agglo_error(ctx, AGGLO_E_IO, "%s: GDAL has no GTiff driver", path);
    /* through a symlink to its target; an existing device or directory is refused */
    char *target = agglo_output_target(ctx, path);
    if (!target)
        return agglo_ctx_errcode(ctx);
    char *tmpdir = agglo_output_tempdir(ctx, target);
    if (!tmpdir) {
        free(target);
        return agglo_ctx_errcode(ctx);
    }
    char *tmp = NULL;
    if (asprintf(&tmp, "%s/%s", tmpdir, base_name(target)) < 0) {
        agglo_output_tempdir_abort(tmpdir);
        free(tmpdir);
        free(target);
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    }
    gdal_errors e;
    agglo_gdal_push(&e);
    char **co = NULL;
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
    co = CSLSetNameValue(co, "PREDICTOR", "3"); /* floating-point predictor */
    int rc = AGGLO_OK;
    GDALDatasetH ds = GDALCreate(drv, tmp, (int)g->ncols, (int)g->nrows, 1,
                                 float32 ? GDT_Float32 : GDT_Float64, co);
    CSLDestroy(co);
    if (!ds) {
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot create GeoTIFF%s%s", path,
                         e.last[0] ? ": " : "", e.last);
        goto fail;
    }
    double gt[6] = {g->xmin, g->cell, 0, g->ymax, 0, -g->cell};
    GDALSetGeoTransform(ds, gt);
    if (crs_wkt && *crs_wkt)
        GDALSetProjection(ds, crs_wkt);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(band, nodata);
    CPLErr err = GDALRasterIO(band, GF_Write, 0, 0, (int)g->ncols, (int)g->nrows,
                              (void *)values, (int)g->ncols, (int)g->nrows, GDT_Float64, 0, 0);
    GDALClose(ds); /* flush errors on close are caught by the handler (e.count) */
    if (err != CE_None || e.count > 0) {
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot write GeoTIFF%s%s", path,
                         e.last[0] ? ": " : "", e.last);
        goto fail;
    }
    agglo_gdal_pop();
    free(tmp);
    /* drop GDAL's .aux.xml side files if any were made */
    {
        char *aux = NULL;
        if (asprintf(&aux, "%s/%s.aux.xml", tmpdir, base_name(target)) >= 0) {
            remove(aux);
            free(aux);
        }
    }
    rc = agglo_output_tempdir_commit(ctx, tmpdir, target);
    free(tmpdir);
    free(target);
    return rc;
fail:
    agglo_gdal_pop();
    free(tmp);
    agglo_output_tempdir_abort(tmpdir);
    free(tmpdir);
    free(target);
    return rc;
}
