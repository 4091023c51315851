/* Atomic file output: temporary in the destination directory, then rename. Outputs are
 * resolved first: a symlink is written through to its target, an existing non-regular file
 * (device, FIFO, directory) is refused, /dev/stdout is written directly. */
#define _GNU_SOURCE
#include "agglo/output.h"
#include "../core/core_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Temporaries of killed runs older than this are removed by the next write to the same
 * destination. */
#define STALE_SECONDS 3600

struct agglo_output {
    char *path; /* as given (for messages) */
    char *target; /* resolved destination */
    char *tmp;  /* NULL when writing to stdout */
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

int agglo_output_is_stdout(const char *path) { return path && strcmp(path, "/dev/stdout") == 0; }

static const char *kind_of_mode(mode_t m)
{
    return S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
           : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISDIR(m) ? "a directory"
                                                                            : "not a regular file";
}

char *agglo_output_target(agglo_ctx *ctx, const char *path)
{
    char *cur = strdup(path);
    if (!cur) {
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        return NULL;
    }
    for (int depth = 0; depth < 40; depth++) {
        struct stat st;
        if (lstat(cur, &st) != 0) {
            if (errno == ENOENT)
                return cur; /* a new file */
            agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (%s)", path, strerror(errno));
            free(cur);
            return NULL;
        }
        if (S_ISLNK(st.st_mode)) {
            char buf[PATH_MAX];
            ssize_t k = readlink(cur, buf, sizeof buf - 1);
            if (k < 0) {
                agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (%s)", path, strerror(errno));
                free(cur);
                return NULL;
            }
            buf[k] = '\0';
            char *next = NULL;
            if (buf[0] == '/') {
                next = strdup(buf);
            } else {
                char *dir = dir_of(cur);
                if (dir && asprintf(&next, "%s/%s", dir, buf) < 0)
                    next = NULL;
                free(dir);
            }
            free(cur);
            if (!next) {
                agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                return NULL;
            }
            cur = next;
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            agglo_error(ctx, AGGLO_E_IO, "%s: exists and is %s; refusing to replace it", path,
                        kind_of_mode(st.st_mode));
            free(cur);
            return NULL;
        }
        return cur;
    }
    agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (too many levels of symbolic links)", path);
    free(cur);
    return NULL;
}

/* Removes path and, when it is a directory, the files in it. */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", path, e->d_name) >= 0) {
            unlink(p);
            free(p);
        }
    }
    closedir(d);
    rmdir(path);
}

/* Removes temporaries ".<base>.tmp*" in dir left by killed runs more than an hour ago. */
static void clean_stale(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *prefix = NULL;
    if (asprintf(&prefix, ".%s.tmp", base) < 0) {
        closedir(d);
        return;
    }
    size_t lp = strlen(prefix);
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, lp) != 0)
            continue;
        /* our names: .<base>.tmpXXXXXX and .<base>.tmpdirXXXXXX */
        const char *tail = e->d_name + lp;
        if (strncmp(tail, "dir", 3) == 0)
            tail += 3;
        if (strlen(tail) != 6)
            continue;
        char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
            continue;
        struct stat st;
        if (lstat(p, &st) == 0 && !S_ISLNK(st.st_mode) && now - st.st_mtime > STALE_SECONDS)
            remove_tree(p);
        free(p);
    }
    closedir(d);
    free(prefix);
}

agglo_output *agglo_output_open(agglo_ctx *ctx, const char *path)
{
    agglo_output *out = agglo_calloc(ctx, 1, sizeof *out);
    if (!out)
        return NULL;
    out->path = strdup(path);
    if (!out->path) {
        free(out);
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        return NULL;
    }
    if (agglo_output_is_stdout(path)) {
        out->fp = stdout;
        return out;
    }
    out->target = agglo_output_target(ctx, path);
    if (!out->target) {
        free(out->path);
        free(out);
        return NULL;
    }
    char *dir = dir_of(out->target);
    if (!dir || asprintf(&out->tmp, "%s/.%s.tmpXXXXXX", dir, base_of(out->target)) < 0) {
        free(dir);
        free(out->target);
        free(out->path);
        free(out);
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        return NULL;
    }
    clean_stale(dir, base_of(out->target));
    free(dir);
    int fd = mkstemp(out->tmp);
    if (fd < 0) {
        agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (%s)", path, strerror(errno));
        free(out->tmp);
        free(out->target);
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
        free(out->target);
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
    free(out->target);
    free(out->path);
    free(out);
}

int agglo_output_commit(agglo_ctx *ctx, agglo_output *out)
{
    int rc = agglo_ctx_check_strict(ctx);
    if (rc != AGGLO_OK) { /* a warning under strict mode: nothing is written */
        agglo_output_abort(out);
        return rc;
    }
    if (!out->tmp) { /* stdout: flush and check, the stream stays open */
        errno = 0;
        if (fflush(out->fp) != 0 || ferror(out->fp))
            rc = agglo_error(ctx, AGGLO_E_IO, "%s: write failed (%s)", out->path,
                             strerror(errno ? errno : EIO));
        output_destroy(out);
        return rc;
    }
    errno = 0;
    int bad = ferror(out->fp) || fflush(out->fp) != 0 || fsync(fileno(out->fp)) != 0;
    int err = errno ? errno : EIO;
    if (fclose(out->fp) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad)
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: write failed (%s)", out->path, strerror(err));
    else if (rename(out->tmp, out->target) != 0)
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
    if (out->tmp) {
        fclose(out->fp);
        unlink(out->tmp);
    }
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
    clean_stale(dir, base_of(path));
    free(dir);
    if (!mkdtemp(tmp)) {
        agglo_error(ctx, AGGLO_E_IO, "%s: cannot write (%s)", path, strerror(errno));
        free(tmp);
        return NULL;
    }
    return tmp;
}

void agglo_output_tempdir_abort(const char *tmpdir) { remove_tree(tmpdir); }

/* Files that belong to an output named base: GDAL's .aux.xml/.ovr/.msk for any file and,
 * for a Shapefile, every sidecar of the stem (lower and upper case). An old one that the
 * new output does not have would be read with the new file (a stale .prj gives a CRS-less
 * result the old CRS; a stale .qix indexes old geometry), so it is removed. */
static const char *const shp_sidecars[] = {"shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx",
                                           "qpj", "shp.xml", "fix", "atx", "ain", "aih",
                                           "ixs", "mxs", "xml", NULL};
static const char *const any_sidecars[] = {"aux.xml", "ovr", "msk", NULL};

static int in_list(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

static void remove_stale_sidecar(const char *dir, const char *stem, const char *ext, int upper,
                                 char **names, size_t n)
{
    char *name = NULL;
    if (asprintf(&name, "%s.%s", stem, ext) < 0)
        return;
    if (upper)
        for (char *p = name + strlen(stem) + 1; *p; p++)
            *p = (char)toupper((unsigned char)*p);
    char *full = NULL;
    if (!in_list(names, n, name) && asprintf(&full, "%s/%s", dir, name) >= 0) {
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
            unlink(full);
        free(full);
    }
    free(name);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int agglo_output_tempdir_commit(agglo_ctx *ctx, const char *tmpdir, const char *path)
{
    char *dir = dir_of(path);
    const char *base = base_of(path);
    DIR *d = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = agglo_ctx_check_strict(ctx);
    if (rc != AGGLO_OK) /* a warning under strict mode: nothing is written */
        goto out;
    d = opendir(tmpdir);
    if (!dir || !d) {
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot finish writing", path);
        goto out;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                goto out;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            goto out;
        }
        n++;
    }
    /* make the new files durable before any of them replaces an old one */
    for (size_t i = 0; i < n && rc == AGGLO_OK; i++) {
        char *p = NULL;
        int fd = -1;
        if (asprintf(&p, "%s/%s", tmpdir, names[i]) >= 0 && (fd = open(p, O_RDONLY)) >= 0) {
            if (fsync(fd) != 0 && errno != EINVAL)
                rc = agglo_error(ctx, AGGLO_E_IO, "%s: write failed (%s)", path, strerror(errno));
            close(fd);
        }
        free(p);
    }
    if (rc != AGGLO_OK)
        goto out;
    /* stale sidecars of the old output */
    {
        char ext[16];
        agglo_path_ext(base, ext, sizeof ext);
        for (int upper = 0; upper < 2; upper++) {
            for (const char *const *s = any_sidecars; *s; s++)
                remove_stale_sidecar(dir, base, *s, upper, names, n);
            if (strcmp(ext, "shp") == 0) {
                char *stem = strndup(base, strlen(base) - 4);
                if (stem)
                    for (const char *const *s = shp_sidecars; *s; s++)
                        remove_stale_sidecar(dir, stem, *s, upper, names, n);
                free(stem);
            }
        }
    }
    /* sidecars first, the main file (the one a reader opens) last */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            int is_main = strcmp(names[i], base) == 0;
            if (is_main != pass)
                continue;
            char *from = NULL, *to = NULL;
            if (asprintf(&from, "%s/%s", tmpdir, names[i]) < 0)
                from = NULL;
            if (asprintf(&to, "%s/%s", dir, names[i]) < 0)
                to = NULL;
            if (!from || !to || rename(from, to) != 0) {
                if (rc == AGGLO_OK)
                    rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot rename into place (%s)", path,
                                     strerror(errno));
            }
            free(from);
            free(to);
        }
    }
    if (rc == AGGLO_OK)
        (void)fsync_dir(dir);
out:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
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

/* ---- one run's inputs and outputs ---- */

typedef struct file_key {
    dev_t dev;
    ino_t ino;
    char *name; /* NULL: the file exists and (dev, ino) is its own; else the directory's */
} file_key;

/* Identity of path: the file's device and inode when it exists (through symlinks), else
 * those of its directory plus the final name. -1 when neither exists. */
static int key_of(const char *path, file_key *k)
{
    struct stat st;
    k->name = NULL;
    if (stat(path, &st) == 0) {
        k->dev = st.st_dev;
        k->ino = st.st_ino;
        return 0;
    }
    /* a dangling symlink names its future target */
    char *target = NULL;
    char buf[PATH_MAX];
    ssize_t len = readlink(path, buf, sizeof buf - 1);
    if (len > 0) {
        buf[len] = '\0';
        if (buf[0] == '/') {
            target = strdup(buf);
        } else {
            char *d = dir_of(path);
            if (d && asprintf(&target, "%s/%s", d, buf) < 0)
                target = NULL;
            free(d);
        }
    }
    const char *p = target ? target : path;
    char *dir = dir_of(p);
    int rc = -1;
    if (dir && stat(dir, &st) == 0 && (k->name = strdup(base_of(p))) != NULL) {
        k->dev = st.st_dev;
        k->ino = st.st_ino;
        rc = 0;
    }
    free(dir);
    free(target);
    return rc;
}

static int same_key(const file_key *a, const file_key *b)
{
    if (a->dev != b->dev || a->ino != b->ino)
        return 0;
    if (!a->name || !b->name)
        return !a->name && !b->name;
    return strcmp(a->name, b->name) == 0;
}

int agglo_output_check_paths(agglo_ctx *ctx, const char *const *inputs, size_t nin,
                             const char *const *outputs, const char *const *labels, size_t nout)
{
    int rc = AGGLO_OK;
    file_key *in = calloc(nin ? nin : 1, sizeof *in), *out = calloc(nout ? nout : 1, sizeof *out);
    int *in_ok = calloc(nin ? nin : 1, sizeof *in_ok), *out_ok = calloc(nout ? nout : 1, sizeof *out_ok);
    if (!in || !out || !in_ok || !out_ok) {
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nin; i++) {
        struct stat st;
        /* only existing files are inputs */
        in_ok[i] = stat(inputs[i], &st) == 0 && key_of(inputs[i], &in[i]) == 0;
    }
    for (size_t j = 0; j < nout; j++)
        out_ok[j] = key_of(outputs[j], &out[j]) == 0;
    for (size_t j = 0; j < nout && rc == AGGLO_OK; j++) {
        if (!out_ok[j])
            continue;
        for (size_t i = 0; i < nin; i++)
            if (in_ok[i] && same_key(&out[j], &in[i])) {
                rc = agglo_error(ctx, AGGLO_E_USAGE,
                                 "%s: the output of %s is also an input (%s); refusing to "
                                 "overwrite it",
                                 outputs[j], labels ? labels[j] : "--out", inputs[i]);
                break;
            }
        for (size_t k = 0; k < j && rc == AGGLO_OK; k++)
            if (out_ok[k] && same_key(&out[j], &out[k]))
                rc = agglo_error(ctx, AGGLO_E_USAGE,
                                 "%s: given to both %s and %s; each output needs its own file",
                                 outputs[j], labels ? labels[k] : "--out",
                                 labels ? labels[j] : "--out");
    }
done:
    for (size_t i = 0; in && i < nin; i++)
        free(in[i].name);
    for (size_t j = 0; out && j < nout; j++)
        free(out[j].name);
    free(in);
    free(out);
    free(in_ok);
    free(out_ok);
    return rc;
}
