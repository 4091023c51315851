/* agglo layer: geometries + attribute table + CRS, read from any OGR source through GDAL.
 *
 * Geometries are GEOS geometries owned by the layer (created in the ctx's GEOS handle).
 * Features whose geometry is NULL or empty are kept in the table (so ids line up with the
 * source) but flagged: agglo_layer_geometry() returns NULL for them and agglo_layer_read()
 * warns with their ids. */
#ifndef AGGLO_LAYER_H
#define AGGLO_LAYER_H

#include "agglo/core.h"
#include "agglo/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_layer agglo_layer;
struct GEOSGeom_t;

typedef enum {
    AGGLO_GEOM_NONE = 0,
    AGGLO_GEOM_POINT = 1,   /* points or multipoints */
    AGGLO_GEOM_LINE = 2,
    AGGLO_GEOM_POLYGON = 3, /* polygons or multipolygons */
    AGGLO_GEOM_MIXED = 4
} agglo_geom_kind;

typedef struct agglo_read_options {
    const char *layer_name;  /* NULL = first layer */
    const char *encoding;    /* attribute encoding when the source has no .cpg (e.g. "GBK") */
    const char *x_field;     /* CSV: column of x / longitude (NULL = auto: lon, longitude, x) */
    const char *y_field;     /* CSV: column of y / latitude  (NULL = auto: lat, latitude, y) */
    const char *assign_crs;  /* CRS of the source: for sources without one (CSV lon/lat default
                              * EPSG:4326); it overrides a source's own CRS with a warning */
    const char *to_crs;      /* reproject on read: "EPSG:32650" or any PROJ/WKT definition */
    const char *where;       /* OGR attribute filter (SQL WHERE clause), NULL = every feature */
    const char *const *fields; /* NULL-terminated names of the fields to read (the others are
                              * skipped by OGR and absent from the table); NULL = all */
    int make_valid;          /* repair invalid polygons with GEOS MakeValid */
    int allow_invalid;       /* kept for compatibility: invalid polygons are always kept (with
                              * a warning) unless strict */
    int skip_validity;       /* do not test polygon validity (contiguity only needs vertices) */
    int strict;              /* every warning of the reader is an error */
    char **variables;        /* owned, NULL-terminated: what agglo_read_options_add_variable
                              * added; with variables (or fields) only the fields they read
                              * are read. Freed by agglo_read_options_clear. */
    size_t nvariables;
} agglo_read_options;

/* Initialise options with defaults (all NULL/0). */
void agglo_read_options_init(agglo_read_options *opts);
/* Declares a variable the caller needs: a field name, or an expression (include/agglo/expr.h)
 * whose fields are then read. Resolved when the layer is read: text that is a field's name
 * (exactly, else case-insensitively when unique) is that field, else it is parsed as an
 * expression (a syntax error, or a field it reads that the layer lacks, fails the read
 * naming the file). Once any variable (or fields) is given, only those fields are read, plus
 * the fields a where filter names and a CSV's coordinate columns; without any, all are.
 * The text is copied. AGGLO_E_NOMEM on allocation failure. */
int agglo_read_options_add_variable(agglo_ctx *ctx, agglo_read_options *opts, const char *text);
/* Frees what agglo_read_options_add_variable allocated (the options can be reused). */
void agglo_read_options_clear(agglo_read_options *opts);

/* Reads a layer. Checks at load: the path is a regular file (or a GDAL /vsi... path; a .zip
 * is read through /vsizip/); for Shapefiles the .shx and .dbf exist and agree with the .shp
 * record by record (a truncated or reordered file is an error naming the record, never a
 * smaller layer); any error GDAL reports while reading fails the read; the layer has
 * features. Invalid polygons are kept with one warning naming the first and GEOS's reason
 * (repaired with make_valid, an error with strict). An undefined GeoPackage SRS is no CRS;
 * a geographic CRS over coordinates outside [-180, 360] x [-90, 90] is dropped with a
 * warning (the coordinates are planar). */
agglo_layer *agglo_layer_read(agglo_ctx *ctx, const char *path, const agglo_read_options *opts);
void agglo_layer_free(agglo_layer *layer);

/* Reads the attributes of a source as a table (panels, geodetector, Dagum, indices): a CSV
 * (column types from its .csvt, else detected from every row; an empty cell is NULL), a .dbf,
 * a GeoPackage attribute table, or any OGR layer, whose geometry is then ignored (not read,
 * not checked: no CRS, validity or NULL-geometry warnings). All columns (or opts->fields),
 * one row per feature in source order, NULLs kept. The same checks as agglo_layer_read
 * otherwise (file, Shapefile sidecars, GDAL errors, encoding, --where, at least one row);
 * assign_crs, to_crs and make_valid are refused (AGGLO_E_USAGE), x_field/y_field ignored.
 * agglo_layer_read refuses such a source with one line (AGGLO_E_GEOMETRY, or AGGLO_E_FIELD
 * for a CSV without coordinate columns). */
agglo_table *agglo_table_read(agglo_ctx *ctx, const char *path, const agglo_read_options *opts);

size_t agglo_layer_count(const agglo_layer *layer);
const char *agglo_layer_path(const agglo_layer *layer);
const char *agglo_layer_name(const agglo_layer *layer);
agglo_geom_kind agglo_layer_kind(const agglo_layer *layer);
/* Borrowed GEOS geometry of feature i (GEOSGeometry*), NULL when NULL/empty/NaN. */
const struct GEOSGeom_t *agglo_layer_geometry(const agglo_layer *layer, size_t i);
/* Borrowed attribute table (one row per feature). */
const agglo_table *agglo_layer_table(const agglo_layer *layer);
agglo_table *agglo_layer_table_mut(agglo_layer *layer);
/* CRS as WKT (NULL if none), a short name, EPSG code (0 if unknown), geographic flag. */
const char *agglo_layer_crs_wkt(const agglo_layer *layer);
const char *agglo_layer_crs_name(const agglo_layer *layer);
int agglo_layer_epsg(const agglo_layer *layer);
int agglo_layer_is_geographic(const agglo_layer *layer);
/* Number of features with NULL/empty geometry, and of invalid geometries kept. */
size_t agglo_layer_null_geometries(const agglo_layer *layer);
size_t agglo_layer_invalid_geometries(const agglo_layer *layer);
/* Extent of all geometries: minx, miny, maxx, maxy. Returns AGGLO_E_EMPTY if none. */
int agglo_layer_extent(const agglo_layer *layer, double extent[4]);

/* Representative coordinates per feature: the point itself for points, the GEOS centroid
 * (or point-on-surface when on_surface) for polygons. x and y have agglo_layer_count()
 * entries; NULL geometries get NaN. */
int agglo_layer_coords(agglo_ctx *ctx, const agglo_layer *layer, int on_surface, double *x,
                       double *y);

/* Identifier of each feature for weights files and outputs: the named field (must be unique,
 * non-NULL), or when id_field is NULL the 1-based feature order as text. Returns an array of
 * count strings the caller frees with agglo_strings_free(). */
char **agglo_layer_ids(agglo_ctx *ctx, const agglo_layer *layer, const char *id_field);
void agglo_strings_free(char **strings, size_t n);

/* Reprojects the layer in place to the target CRS (EPSG:xxxx, PROJ string or WKT). */
int agglo_layer_transform(agglo_ctx *ctx, agglo_layer *layer, const char *to_crs);
/* 1 if both layers have the same CRS (or both none). */
int agglo_layer_same_crs(const agglo_layer *a, const agglo_layer *b);

/* Writes the layer (geometries + every table column) to path, format from the extension
 * (.gpkg, .shp, .geojson, .csv, .fgb); written in a temporary place in the destination
 * directory and renamed into place only on success. layer_name NULL = file stem. */
int agglo_layer_write(agglo_ctx *ctx, const agglo_layer *layer, const char *path,
                      const char *layer_name);

/* A new layer of n features from geometries (ownership of the array's geometries passes to
 * the layer, even on failure; entries may be NULL) and a table (ownership passes too; NULL =
 * an empty table of n rows). crs: WKT/EPSG:xxxx/PROJ string, or NULL. */
agglo_layer *agglo_layer_create(agglo_ctx *ctx, size_t n, struct GEOSGeom_t **geoms,
                                agglo_table *table, const char *crs);

/* A new layer with the rows keep[0..nkeep-1]. */
agglo_layer *agglo_layer_subset(agglo_ctx *ctx, const agglo_layer *layer, const size_t *keep,
                                size_t nkeep);

#ifdef __cplusplus
}
#endif
#endif
