/* GDAL helpers internal to src/io: error capture and SRS handling. */
#ifndef AGGLO_GDAL_UTIL_H
#define AGGLO_GDAL_UTIL_H

#include <ogr_srs_api.h>
#include "agglo/core.h"

/* Routes GDAL/CPL errors raised between push and pop into a buffer (CPLPushErrorHandlerEx),
 * so messages can be folded into the context's error instead of printed. */
typedef struct gdal_errors {
    char last[1024];
    int count;
} gdal_errors;

void agglo_gdal_init(void);
void agglo_gdal_push(gdal_errors *e);
void agglo_gdal_pop(void);

/* SRS from user input (EPSG:xxxx, PROJ string, WKT) with GIS (x=lon, y=lat) axis order;
 * NULL + AGGLO_E_CRS on failure. */
OGRSpatialReferenceH agglo_srs_from_user(agglo_ctx *ctx, const char *definition);

#endif
