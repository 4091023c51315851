/* GDAL helpers internal to src/io: error capture and SRS handling. */
#ifndef AGGLO_GDAL_UTIL_H
#define AGGLO_GDAL_UTIL_H

#include <ogr_srs_api.h>
#include "agglo/core.h"

/* Routes GDAL/CPL errors raised between push and pop into a buffer (CPLPushErrorHandlerEx),
 * so messages can be folded into the context's error instead of printed. */
typedef struct gdal_errors {
    char last[1024];
    char first[1024]; /* the first error: usually the cause, the later ones its effects */
    int count;
} gdal_errors;

void agglo_gdal_init(void);
void agglo_gdal_push(gdal_errors *e);
void agglo_gdal_pop(void);

/* SRS from user input (EPSG:xxxx, PROJ string, WKT) with GIS (x=lon, y=lat) axis order;
 * NULL + AGGLO_E_CRS on failure. */
OGRSpatialReferenceH agglo_srs_from_user(agglo_ctx *ctx, const char *definition);

/* Input checks (read_check.c). */
int agglo_is_vsi_path(const char *path);
/* The path exists and is a regular file or directory (a FIFO or device is refused), or a GDAL
 * virtual path that VSIStatL finds. */
int agglo_check_input_file(agglo_ctx *ctx, const char *path);
/* The sidecar of a .shp ("shx", "dbf", "cpg", lower or upper case) through VSIStatL, or NULL. */
char *agglo_shp_sidecar(const char *shp, const char *ext_lower);
/* A Shapefile's .shx, .shp, .dbf and .cpg agree: record counts, every .shx entry inside the
 * .shp and pointing to the record of its number with its length, the .dbf as long as its
 * header says, field lengths adding up to the record length, numbers in the numeric fields
 * (only those named in fields, NULL-terminated; NULL = all), a .cpg that names a code page.
 * Errors name user_path and the record. */
int agglo_shp_check(agglo_ctx *ctx, const char *user_path, const char *shp,
                    const char *const *fields);

#endif
