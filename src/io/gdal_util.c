#include "gdal_util.h"

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;

static void gdal_register(void) { GDALAllRegister(); }

void agglo_gdal_init(void) { pthread_once(&gdal_once, gdal_register); }

static void CPL_STDCALL gdal_handler(CPLErr level, CPLErrorNum num, const char *msg)
{
    (void)num;
    gdal_errors *e = CPLGetErrorHandlerUserData();
    if (e && level >= CE_Failure) {
        snprintf(e->last, sizeof e->last, "%s", msg);
        if (!e->count)
            snprintf(e->first, sizeof e->first, "%s", msg);
        e->count++;
    }
}

void agglo_gdal_push(gdal_errors *e)
{
    e->last[0] = e->first[0] = '\0';
    e->count = 0;
    CPLPushErrorHandlerEx(gdal_handler, e);
}

void agglo_gdal_pop(void) { CPLPopErrorHandler(); }

OGRSpatialReferenceH agglo_srs_from_user(agglo_ctx *ctx, const char *definition)
{
    agglo_gdal_init();
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    gdal_errors e;
    agglo_gdal_push(&e);
    OGRErr err = OSRSetFromUserInput(srs, definition);
    agglo_gdal_pop();
    if (err != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        agglo_error(ctx, AGGLO_E_CRS, "%s: not a CRS that PROJ knows%s%s", definition,
                    e.last[0] ? ": " : "", e.last);
        return NULL;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}
