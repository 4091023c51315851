/* Atomic file output: temporary in the destination directory, then rename. */
#define _GNU_SOURCE
#include "agglo/output.h"
#include "../core/core_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct agglo_output {
    char *path;
    char *tmp;
    FILE *fp;
};

/* Directory part of path ("." when none), malloc'd. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

agglo_output *agglo_output_open(agglo_ctx *ctx, const char *path)
{
    agglo_output *out = agglo_calloc(ctx, 1, sizeof *out);
    if (!out)
        return NULL;
    char *dir = dir_of(path);
    out->path = strdup(path);
    if (!dir || !out->path || asprintf(&out->tmp, "%s/.%s.tmpXXXXXX", dir, base_of(path)) < 0) {
        free(dir);
        free(out->path);
        free(out);
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        return NULL;
    }
    free(dir);
    int fd = mkstemp(out->tmp);
    if (fd < 0) {
        agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (%s)", path, strerror(errno));
        free(out->tmp);
        free(out->path);
        free(out);
        return NULL;
    }
    /* mkstemp creates 0600; give the file the usual permissions (umask applies). */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    out->fp = fdopen(fd, "w");
    if (!out->fp) {
        agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (%s)", path, strerror(errno));
        close(fd);
        unlink(out->tmp);
        free(out->tmp);
        free(out->path);
        free(out);
        return NULL;
    }
    return out;
}

FILE *agglo_output_stream(agglo_output *out) { return out->fp; }

static void output_destroy(agglo_output *out)
{
    free(out->tmp);
    free(out->path);
    free(out);
}

int agglo_output_commit(agglo_ctx *ctx, agglo_output *out)
{
    int rc = AGGLO_OK;
    int bad = ferror(out->fp) || fflush(out->fp) != 0 || fsync(fileno(out->fp)) != 0;
    int err = errno;
    if (fclose(out->fp) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad)
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: write failed (%s)", out->path, strerror(err));
    else if (rename(out->tmp, out->path) != 0)
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot rename into place (%s)", out->path,
                         strerror(errno));
    if (rc != AGGLO_OK)
        unlink(out->tmp);
    output_destroy(out);
    return rc;
}

void agglo_output_abort(agglo_output *out)
{
    if (!out)
        return;
    fclose(out->fp);
    unlink(out->tmp);
    output_destroy(out);
}

char *agglo_output_tempdir(agglo_ctx *ctx, const char *path)
{
    char *dir = dir_of(path);
    char *tmp = NULL;
    if (!dir || asprintf(&tmp, "%s/.%s.tmpdirXXXXXX", dir, base_of(path)) < 0) {
        free(dir);
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        return NULL;
    }
    free(dir);
    if (!mkdtemp(tmp)) {
        agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (%s)", path, strerror(errno));
        free(tmp);
        return NULL;
    }
    return tmp;
}

void agglo_output_tempdir_abort(const char *tmpdir)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = NULL;
            if (asprintf(&p, "%s/%s", tmpdir, e->d_name) >= 0) {
                unlink(p);
                free(p);
            }
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

int agglo_output_tempdir_commit(agglo_ctx *ctx, const char *tmpdir, const char *path)
{
    char *dir = dir_of(path);
    DIR *d = opendir(tmpdir);
    int rc = AGGLO_OK;
    if (!dir || !d) {
        free(dir);
        if (d)
            closedir(d);
        agglo_output_tempdir_abort(tmpdir);
        return agglo_error(ctx, AGGLO_E_IO, "%s: cannot finish writing", path);
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *from = NULL, *to = NULL;
        if (asprintf(&from, "%s/%s", tmpdir, e->d_name) < 0)
            from = NULL;
        if (asprintf(&to, "%s/%s", dir, e->d_name) < 0)
            to = NULL;
        if (!from || !to || rename(from, to) != 0) {
            if (rc == AGGLO_OK)
                rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot rename into place (%s)", path,
                                 strerror(errno));
        }
        free(from);
        free(to);
    }
    closedir(d);
    free(dir);
    agglo_output_tempdir_abort(tmpdir);
    return rc;
}

void agglo_path_ext(const char *path, char *buf, size_t size)
{
    const char *base = base_of(path);
    const char *dot = strrchr(base, '.');
    size_t k = 0;
    if (dot)
        for (const char *p = dot + 1; *p && k + 1 < size; p++)
            buf[k++] = (char)tolower((unsigned char)*p);
    if (size)
        buf[k] = '\0';
}
