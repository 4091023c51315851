/* agglo output: atomic file output. Data goes to a temporary file made with mkstemp in the
 * destination directory; commit flushes, fsyncs, closes and renames it into place; abort (or
 * any failure) removes it. A reader never sees a half-written file.
 *
 * Destinations are resolved first (agglo_output_target): a symlink is followed and its
 * target replaced, an existing device, FIFO, socket or directory is refused; "/dev/stdout"
 * is written directly (no temporary). Temporaries left by runs killed more than an hour ago
 * beside the same destination are removed when the next one is made. */
#ifndef AGGLO_OUTPUT_H
#define AGGLO_OUTPUT_H

#include <stdio.h>
#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_output agglo_output;

/* 1 when path is "/dev/stdout". */
int agglo_output_is_stdout(const char *path);
/* The file that writing path replaces: path itself, or the end of its symlink chain.
 * NULL + AGGLO_E_IO when it exists and is not a regular file. malloc'd. */
char *agglo_output_target(agglo_ctx *ctx, const char *path);

/* One check of a run's files before any work: AGGLO_E_USAGE when an output is the same
 * file as an input (device and inode, through symlinks; inputs that do not exist are
 * skipped) or two outputs are the same file (same inode, or same directory and name when
 * new). labels[j] (e.g. "--png", may be NULL) names the option of outputs[j]. */
int agglo_output_check_paths(agglo_ctx *ctx, const char *const *inputs, size_t nin,
                             const char *const *outputs, const char *const *labels, size_t nout);

/* Opens a temporary file beside path (beside its target when path is a symlink). NULL + AGGLO_E_IO (naming path) if the directory is
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
/* Moves the files of tmpdir to the destination directory of path (path already resolved
 * with agglo_output_target), then removes tmpdir. Every file is fsynced first; sidecars of
 * an old output that the new one lacks (a Shapefile's .prj/.cpg/.qix/..., any file's
 * .aux.xml) are removed; sidecars are renamed first and the file named by path last. */
int agglo_output_tempdir_commit(agglo_ctx *ctx, const char *tmpdir, const char *path);
/* Removes tmpdir and everything in it. */
void agglo_output_tempdir_abort(const char *tmpdir);

/* File-name helpers: extension in lower case without the dot ("" if none) into buf. */
void agglo_path_ext(const char *path, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
