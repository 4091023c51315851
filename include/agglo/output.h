/* agglo output: atomic file output. Data goes to a temporary file made with mkstemp in the
 * destination directory; commit flushes, fsyncs, closes and renames it into place; abort (or
 * any failure) removes it. A reader never sees a half-written file. */
#ifndef AGGLO_OUTPUT_H
#define AGGLO_OUTPUT_H

#include <stdio.h>
#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_output agglo_output;

/* Opens a temporary file beside path. NULL + AGGLO_E_IO (naming path) if the directory is
 * not writable. */
agglo_output *agglo_output_open(agglo_ctx *ctx, const char *path);
/* The stream to write to (borrowed). */
FILE *agglo_output_stream(agglo_output *out);
/* Flush, fsync, close, rename into place; frees out whatever happens. */
int agglo_output_commit(agglo_ctx *ctx, agglo_output *out);
/* Close and remove the temporary; frees out. NULL is a no-op. */
void agglo_output_abort(agglo_output *out);

/* Temporary directory in the destination directory of path, for multi-file formats written
 * by GDAL (Shapefile sidecars). Returns a malloc'd path or NULL + AGGLO_E_IO. */
char *agglo_output_tempdir(agglo_ctx *ctx, const char *path);
/* Moves every file of tmpdir whose name starts with stem to the destination directory of
 * path, then removes tmpdir. */
int agglo_output_tempdir_commit(agglo_ctx *ctx, const char *tmpdir, const char *path);
/* Removes tmpdir and everything in it. */
void agglo_output_tempdir_abort(const char *tmpdir);

/* File-name helpers: extension in lower case without the dot ("" if none) into buf. */
void agglo_path_ext(const char *path, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
