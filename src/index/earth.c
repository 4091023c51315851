/* The earth models (include/agglo/index.h): each great-circle formula the library uses, in
 * one place, named after the implementation whose numbers it reproduces. */
#define _GNU_SOURCE
#include <float.h>
#include <math.h>

#include "agglo/index.h"
#include "index_internal.h"

/* Haversine in km on the 6371 km sphere (mgwr's spherical=True). */
double agglo_earth_haversine_km(double lon1, double lat1, double lon2, double lat2)
{
    const double r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
    double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
    double a = s1 * s1 + cos(lat1 * r) * cos(lat2 * r) * s2 * s2;
    return 6371.0 * 2.0 * asin(sqrt(a > 1 ? 1 : a));
}

/* Great-circle distance in km on the WGS84 ellipsoid (Andoyer-Lambert approximation), the
 * formula of sp/spdep's gcdist used by knearneigh, dnearneigh and nbdists with
 * longlat = TRUE, so that neighbour sets match spdep exactly on lon/lat data. */
double agglo_earth_spdep_km(double lon1, double lat1, double lon2, double lat2)
{
    const double DE2RA = M_PI / 180.0, a = 6378.137, f = 1.0 / 298.257223563;
    if (fabs(lat1 - lat2) < DBL_EPSILON) {
        if (fabs(lon1 - lon2) < DBL_EPSILON)
            return 0.0;
        if (fabs((fabs(lon1) + fabs(lon2)) - 360.0) < DBL_EPSILON)
            return 0.0;
    }
    double F = (lat1 + lat2) / 2.0 * DE2RA, G = (lat1 - lat2) / 2.0 * DE2RA,
           L = (lon1 - lon2) / 2.0 * DE2RA;
    double sG = sin(G), cG = cos(G), sF = sin(F), cF = cos(F), sL = sin(L), cL = cos(L);
    double sinG2 = sG * sG, cosG2 = cG * cG, sinF2 = sF * sF, cosF2 = cF * cF, sinL2 = sL * sL,
           cosL2 = cL * cL;
    double S = sinG2 * cosL2 + cosF2 * sinL2;
    double C = cosG2 * cosL2 + sinF2 * sinL2;
    double w = atan(sqrt(S / C));
    double R = sqrt(S * C) / w;
    double D = 2.0 * w * a;
    double H1 = (3.0 * R - 1.0) / (2.0 * C);
    double H2 = (3.0 * R + 1.0) / (2.0 * S);
    return D * (1.0 + f * H1 * sinF2 * cosG2 - f * H2 * cosF2 * sinG2);
}

void agglo__index_unit_vector(double lon, double lat, double *v)
{
    const double d2r = M_PI / 180.0;
    double cl = cos(lat * d2r);
    v[0] = cl * cos(lon * d2r);
    v[1] = cl * sin(lon * d2r);
    v[2] = sin(lat * d2r);
}

double agglo__index_chord_to_km(double chord)
{
    double h = chord / 2.0;
    if (h > 1.0)
        h = 1.0;
    return 2.0 * AGGLO__EARTH_CHORD_RADIUS_KM * asin(h);
}

double agglo_earth_chord_km(double lon1, double lat1, double lon2, double lat2)
{
    double a[3], b[3];
    agglo__index_unit_vector(lon1, lat1, a);
    agglo__index_unit_vector(lon2, lat2, b);
    double s = 0;
    for (int t = 0; t < 3; t++) {
        double d = a[t] - b[t];
        s += d * d;
    }
    return agglo__index_chord_to_km(sqrt(s));
}

double agglo_earth_distance(agglo_earth_model model, double lon1, double lat1, double lon2,
                            double lat2)
{
    switch (model) {
    case AGGLO_EARTH_SPDEP_ELLIPSOID:
        return agglo_earth_spdep_km(lon1, lat1, lon2, lat2);
    case AGGLO_EARTH_CHORD:
        return agglo_earth_chord_km(lon1, lat1, lon2, lat2);
    case AGGLO_EARTH_HAVERSINE:
    default:
        return agglo_earth_haversine_km(lon1, lat1, lon2, lat2);
    }
}
