/* The coordinate policy shared by every command (include/agglo/geom.h): longitude/latitude
 * coordinates give no planar distances or areas; great-circle distances only on lon/lat. */
#include "agglo/geom.h"

int agglo_lonlat_check(agglo_ctx *ctx, const agglo_layer *layer, agglo_coords_need need,
                       unsigned flags)
{
    const char *path = agglo_layer_path(layer);
    path = path ? path : "input";
    int geographic = agglo_layer_is_geographic(layer);
    int arc = (flags & AGGLO_LONLAT_ARC) != 0;
    if (need == AGGLO_COORDS_ANY)
        return AGGLO_OK;
    if (arc && need == AGGLO_COORDS_DISTANCES) {
        if (geographic)
            return AGGLO_OK;
        if (agglo_layer_crs_wkt(layer))
            return agglo_error(ctx, AGGLO_E_CRS, "%s: --arc needs longitude/latitude "
                               "coordinates but the CRS is projected", path);
        agglo_warn(ctx, "%s: has no CRS; --arc takes its coordinates as longitude/latitude "
                   "(degrees)", path);
        return AGGLO_OK;
    }
    if (!geographic)
        return AGGLO_OK;
    int offer_arc = need == AGGLO_COORDS_DISTANCES && (flags & AGGLO_LONLAT_ARC_AVAILABLE);
    return agglo_error(ctx, AGGLO_E_CRS,
                       "%s: coordinates are longitude/latitude (degrees); %s need a projected "
                       "CRS: reproject with --to EPSG:xxxx (e.g. a UTM zone)%s", path,
                       need == AGGLO_COORDS_AREAS ? "areas" : "distances",
                       offer_arc ? ", or use great-circle distances (--arc)" : "");
}
