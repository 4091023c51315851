/* Integrity checks of input files before and while GDAL reads them: the input is a regular
 * file (or a GDAL virtual path), and a Shapefile's .shp/.shx/.dbf/.cpg agree with each other
 * record by record. GDAL reads a short or inconsistent Shapefile without complaint (records past
 * the end come out as NULL shapes, text in a numeric field as 0, a bad field length as no
 * fields at all), so these are checked on the bytes, through GDAL's VSI layer so that /vsizip/
 * and the other virtual file systems work too. */
#define _GNU_SOURCE
#include "gdal_util.h"

#include <cpl_vsi.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int agglo_is_vsi_path(const char *path) { return strncmp(path, "/vsi", 4) == 0; }

int agglo_check_input_file(agglo_ctx *ctx, const char *path)
{
    if (agglo_is_vsi_path(path)) {
        VSIStatBufL vs;
        if (VSIStatExL(path, &vs, VSI_STAT_EXISTS_FLAG) != 0)
            return agglo_error(ctx, AGGLO_E_IO, "%s: no such file", path);
        return AGGLO_OK;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return agglo_error(ctx, AGGLO_E_IO, "%s: no such file", path);
    /* A FIFO, socket or device would block or never end: only files (and directories, which
     * GDAL reads as a set of Shapefiles) are data sources. */
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return agglo_error(ctx, AGGLO_E_IO, "%s: not a regular file (%s); give a file or a GDAL "
                                            "virtual path (/vsizip/...)",
                           path,
                           S_ISFIFO(st.st_mode)   ? "a FIFO"
                           : S_ISCHR(st.st_mode)  ? "a character device"
                           : S_ISBLK(st.st_mode)  ? "a block device"
                           : S_ISSOCK(st.st_mode) ? "a socket"
                                                  : "not a file");
    return AGGLO_OK;
}

/* The sidecar of a .shp with the extension in lower or upper case, or NULL. */
char *agglo_shp_sidecar(const char *shp, const char *ext_lower)
{
    size_t len = strlen(shp);
    if (len < 4)
        return NULL;
    for (int upper = 0; upper < 2; upper++) {
        char *p = strdup(shp);
        if (!p)
            return NULL;
        for (int k = 0; k < 3; k++)
            p[len - 3 + k] = upper ? (char)toupper((unsigned char)ext_lower[k]) : ext_lower[k];
        VSIStatBufL vs;
        if (VSIStatExL(p, &vs, VSI_STAT_EXISTS_FLAG | VSI_STAT_NATURE_FLAG) == 0) {
            /* a sidecar must be a file too (a FIFO .dbf would block GDAL) */
            if (agglo_is_vsi_path(p) || S_ISREG(vs.st_mode))
                return p;
        }
        free(p);
    }
    return NULL;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A sequential window over a VSI file: random offsets work, increasing ones read each byte
 * once. */
typedef struct window {
    VSILFILE *f;
    unsigned char *buf;
    size_t cap;
    vsi_l_offset start, end; /* buf holds [start, end) */
} window;

static const unsigned char *window_get(window *w, vsi_l_offset off, size_t len)
{
    if (off >= w->start && off + len <= w->end)
        return w->buf + (off - w->start);
    if (len > w->cap)
        return NULL;
    if (VSIFSeekL(w->f, off, SEEK_SET) != 0)
        return NULL;
    size_t got = VSIFReadL(w->buf, 1, w->cap, w->f);
    w->start = off;
    w->end = off + got;
    return got >= len ? w->buf : NULL;
}

static vsi_l_offset file_size(const char *path)
{
    VSIStatBufL vs;
    if (VSIStatExL(path, &vs, VSI_STAT_SIZE_FLAG) != 0)
        return 0;
    return (vsi_l_offset)vs.st_size;
}

static unsigned char *read_all(const char *path, vsi_l_offset *size)
{
    *size = file_size(path);
    VSILFILE *f = VSIFOpenL(path, "rb");
    if (!f)
        return NULL;
    unsigned char *b = malloc(*size ? (size_t)*size : 1);
    if (b && VSIFReadL(b, 1, (size_t)*size, f) != (size_t)*size) {
        free(b);
        b = NULL;
    }
    VSIFCloseL(f);
    return b;
}

/* .shx entries against the .shp: every record inside the file, numbered as its position, with
 * the length the index gives. */
static int check_shp_index(agglo_ctx *ctx, const char *user, const char *shp, const char *shx,
                           long *nshapes)
{
    vsi_l_offset shx_size, shp_size = file_size(shp);
    unsigned char *ix = read_all(shx, &shx_size);
    if (!ix)
        return agglo_error(ctx, AGGLO_E_IO, "%s: cannot read its .shx index", user);
    int rc = AGGLO_OK;
    if (shx_size < 100 || (shx_size - 100) % 8 != 0) {
        rc = agglo_error(ctx, AGGLO_E_FORMAT,
                         "%s: truncated or corrupt .shx index (%llu bytes is not a 100-byte header "
                         "plus 8 bytes per record)",
                         user, (unsigned long long)shx_size);
        free(ix);
        return rc;
    }
    if (shp_size < 100) {
        free(ix);
        return agglo_error(ctx, AGGLO_E_FORMAT,
                           "%s: truncated or corrupt (%llu bytes, shorter than the 100-byte header)",
                           user, (unsigned long long)shp_size);
    }
    size_t n = (size_t)((shx_size - 100) / 8);
    *nshapes = (long)n;
    window w = {VSIFOpenL(shp, "rb"), malloc(1 << 20), 1 << 20, 0, 0};
    if (!w.f || !w.buf) {
        rc = agglo_error(ctx, w.buf ? AGGLO_E_IO : AGGLO_E_NOMEM, "%s: cannot read", user);
        n = 0;
    }
    uint32_t base = 1;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *e = ix + 100 + 8 * i;
        vsi_l_offset off = (vsi_l_offset)be32(e) * 2, len = (vsi_l_offset)be32(e + 4) * 2;
        if (off < 100 || off + 8 + len > shp_size) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT,
                             "%s: truncated or corrupt at record %zu (offset %llu beyond the "
                             "file's %llu bytes)",
                             user, i + 1, (unsigned long long)(off < 100 ? off : off + 8 + len),
                             (unsigned long long)shp_size);
            break;
        }
        const unsigned char *h = window_get(&w, off, 12);
        if (!h) {
            rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot read record %zu", user, i + 1);
            break;
        }
        uint32_t num = be32(h), clen = be32(h + 4) * 2;
        /* numbered from 1 by the specification; a few writers start at 0: what matters is
         * that entry i points to the i-th record */
        if (i == 0 && num <= 1)
            base = num;
        if (num != base + i) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT,
                             "%s: corrupt at record %zu: the .shx entry %zu points to the .shp "
                             "record numbered %u (index and shapes disagree)",
                             user, i + 1, i + 1, num + 1 - base);
            break;
        }
        if (clen != len) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT,
                             "%s: corrupt at record %zu: the .shx gives %llu bytes, the .shp record "
                             "header %u",
                             user, i + 1, (unsigned long long)len, clen);
            break;
        }
    }
    if (w.f)
        VSIFCloseL(w.f);
    free(w.buf);
    free(ix);
    return rc;
}

/* A DBF numeric (N/F) cell: blank or '*' fill is NULL; otherwise a decimal number. */
static int dbf_number_ok(const unsigned char *s, size_t len)
{
    size_t a = 0, b = len;
    while (a < b && (s[a] == ' ' || s[a] == '\0'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\0'))
        b--;
    if (a == b)
        return 1;
    int stars = 1;
    for (size_t k = a; k < b; k++)
        stars &= s[k] == '*';
    if (stars)
        return 1;
    /* printf's spelling of NaN and infinities, which GDAL writes and reads back as such */
    size_t l = b - a, sgn = (s[a] == '-' || s[a] == '+');
    if ((l - sgn == 3 && (strncasecmp((const char *)s + a + sgn, "nan", 3) == 0 ||
                          strncasecmp((const char *)s + a + sgn, "inf", 3) == 0)) ||
        (l - sgn == 8 && strncasecmp((const char *)s + a + sgn, "infinity", 8) == 0))
        return 1;
    size_t k = a, digits = 0;
    if (s[k] == '+' || s[k] == '-')
        k++;
    while (k < b && isdigit(s[k]))
        k++, digits++;
    if (k < b && (s[k] == '.' || s[k] == ','))
        for (k++; k < b && isdigit(s[k]); k++)
            digits++;
    if (!digits)
        return 0;
    if (k < b && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < b && (s[k] == '+' || s[k] == '-'))
            k++;
        size_t ed = 0;
        while (k < b && isdigit(s[k]))
            k++, ed++;
        if (!ed)
            return 0;
    }
    return k == b;
}

static int name_wanted(const char *name, const char *const *fields)
{
    if (!fields)
        return 1;
    for (; *fields; fields++)
        if (strcasecmp(*fields, name) == 0)
            return 1;
    return 0;
}

typedef struct dbf_field {
    char name[12];
    char type;
    unsigned len, off;
} dbf_field;

static int check_dbf(agglo_ctx *ctx, const char *user, const char *dbf, long nshapes,
                     const char *const *fields)
{
    vsi_l_offset size = file_size(dbf);
    VSILFILE *f = VSIFOpenL(dbf, "rb");
    if (!f)
        return agglo_error(ctx, AGGLO_E_IO, "%s: cannot open its .dbf", user);
    int rc = AGGLO_OK;
    unsigned char hdr[32];
    unsigned char *desc = NULL;
    dbf_field *fd = NULL;
    window w = {f, NULL, 0, 0, 0};
    if (VSIFReadL(hdr, 1, 32, f) != 32) {
        rc = agglo_error(ctx, AGGLO_E_FORMAT,
                         "%s: truncated or corrupt .dbf (%llu bytes, shorter than its header)", user,
                         (unsigned long long)size);
        goto out;
    }
    uint32_t nrec = le32(hdr + 4);
    unsigned hlen = hdr[8] | hdr[9] << 8, rlen = hdr[10] | hdr[11] << 8;
    if (nshapes >= 0 && (long)nrec != nshapes) {
        rc = agglo_error(ctx, AGGLO_E_FORMAT,
                         "%s: record counts differ: .shx has %ld shapes, .dbf has %lu records", user,
                         nshapes, (unsigned long)nrec);
        goto out;
    }
    if (hlen < 33 || rlen < 1 || size < hlen) {
        rc = agglo_error(ctx, AGGLO_E_FORMAT,
                         "%s: corrupt .dbf header (header %u bytes, records %u bytes, file %llu "
                         "bytes)",
                         user, hlen, rlen, (unsigned long long)size);
        goto out;
    }
    vsi_l_offset need = (vsi_l_offset)hlen + (vsi_l_offset)nrec * rlen;
    if (size < need) {
        unsigned long long first = (unsigned long long)((size - hlen) / rlen) + 1;
        rc = agglo_error(ctx, AGGLO_E_FORMAT,
                         "%s: truncated or corrupt .dbf at record %llu (offset %llu beyond the "
                         "file's %llu bytes; its header promises %lu records)",
                         user, first, (unsigned long long)hlen + first * rlen,
                         (unsigned long long)size, (unsigned long)nrec);
        goto out;
    }
    /* field descriptors: 32 bytes each, ended by 0x0D; their lengths make the record length */
    desc = malloc(hlen - 32);
    fd = malloc(sizeof *fd * ((hlen - 32) / 32 + 1));
    if (!desc || !fd) {
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto out;
    }
    if (VSIFReadL(desc, 1, hlen - 32, f) != hlen - 32) {
        rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot read the .dbf header", user);
        goto out;
    }
    size_t nf = 0;
    unsigned sum = 1; /* the deletion flag */
    for (int wide = 0; wide < 2; wide++) {
        /* character fields longer than 255 bytes keep the high byte of their length in the
         * decimal count (GDAL, Clipper): tried when the plain lengths do not add up */
        nf = 0;
        sum = 1;
        for (size_t p = 0; p + 32 <= hlen - 32 && desc[p] != 0x0D; p += 32, nf++) {
            memcpy(fd[nf].name, desc + p, 11);
            fd[nf].name[11] = '\0';
            fd[nf].type = (char)desc[p + 11];
            fd[nf].len = desc[p + 16];
            if (wide && fd[nf].type == 'C')
                fd[nf].len |= (unsigned)desc[p + 17] << 8;
            fd[nf].off = sum;
            if (fd[nf].len == 0) {
                rc = agglo_error(ctx, AGGLO_E_FORMAT,
                                 "%s: corrupt .dbf header: field %zu ('%s') has length 0", user,
                                 nf + 1, fd[nf].name);
                goto out;
            }
            sum += fd[nf].len;
        }
        if (sum == rlen)
            break;
    }
    if (sum != rlen) {
        /* report the plain lengths */
        sum = 1;
        for (size_t p = 0; p + 32 <= hlen - 32 && desc[p] != 0x0D; p += 32)
            sum += desc[p + 16];
        rc = agglo_error(ctx, AGGLO_E_FORMAT,
                         "%s: corrupt .dbf header: its %zu field lengths add up to %u bytes but "
                         "each record has %u (a field length is wrong)",
                         user, nf, sum, rlen);
        goto out;
    }
    /* Numeric fields: GDAL reads text there as 0; it is corruption. */
    size_t nnum = 0;
    for (size_t j = 0; j < nf; j++)
        if ((fd[j].type == 'N' || fd[j].type == 'F') && name_wanted(fd[j].name, fields))
            fd[nnum++] = fd[j];
    if (!nnum || !nrec)
        goto out;
    w.cap = rlen > (1u << 20) ? rlen : (1u << 20) / rlen * rlen;
    w.buf = malloc(w.cap);
    if (!w.buf) {
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < nrec; i++) {
        const unsigned char *r = window_get(&w, (vsi_l_offset)hlen + (vsi_l_offset)i * rlen, rlen);
        if (!r) {
            rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot read .dbf record %lu", user,
                             (unsigned long)i + 1);
            goto out;
        }
        for (size_t j = 0; j < nnum; j++)
            if (!dbf_number_ok(r + fd[j].off, fd[j].len)) {
                char text[64];
                const unsigned char *cell = r + fd[j].off;
                size_t a = 0, l = 0;
                while (a < fd[j].len && cell[a] == ' ')
                    a++;
                for (; a < fd[j].len && l < sizeof text - 1; a++, l++)
                    text[l] = (char)(cell[a] >= 0x20 && cell[a] < 0x7F ? cell[a] : '?');
                while (l > 0 && text[l - 1] == ' ')
                    l--;
                text[l] = '\0';
                rc = agglo_error(ctx, AGGLO_E_FORMAT,
                                 "%s: corrupt .dbf at record %lu: numeric field '%s' holds '%s', "
                                 "not a number",
                                 user, (unsigned long)i + 1, fd[j].name, text);
                goto out;
            }
    }
out:
    free(w.buf);
    free(desc);
    free(fd);
    VSIFCloseL(f);
    return rc;
}

/* A .cpg holds a code page name: printable ASCII. Anything else makes GDAL decode every
 * string to "" (an unknown encoding), so it is refused. */
static int check_cpg(agglo_ctx *ctx, const char *user, const char *cpg)
{
    vsi_l_offset size;
    unsigned char *b = read_all(cpg, &size);
    if (!b)
        return AGGLO_OK; /* unreadable: GDAL ignores it the same way */
    int rc = AGGLO_OK;
    for (vsi_l_offset k = 0; k < size && rc == AGGLO_OK; k++)
        if ((b[k] < 0x20 && b[k] != '\r' && b[k] != '\n' && b[k] != '\t') || b[k] >= 0x7F)
            rc = agglo_error(ctx, AGGLO_E_FORMAT,
                             "%s: corrupt .cpg (byte %llu is 0x%02x; a .cpg names a code page such "
                             "as UTF-8 or GBK)",
                             user, (unsigned long long)k + 1, b[k]);
    if (rc == AGGLO_OK && size > 64)
        rc = agglo_error(ctx, AGGLO_E_FORMAT,
                         "%s: corrupt .cpg (%llu bytes; a .cpg names a code page such as UTF-8)",
                         user, (unsigned long long)size);
    free(b);
    return rc;
}

int agglo_shp_check(agglo_ctx *ctx, const char *user, const char *shp, const char *const *fields)
{
    char *shx = agglo_shp_sidecar(shp, "shx");
    if (!shx)
        return agglo_error(ctx, AGGLO_E_IO, "%s: missing .shx index file beside it", user);
    char *dbf = agglo_shp_sidecar(shp, "dbf");
    if (!dbf) {
        free(shx);
        return agglo_error(ctx, AGGLO_E_IO, "%s: missing .dbf attribute file beside it", user);
    }
    long nshapes = -1;
    vsi_l_offset shx_size = file_size(shx);
    if (shx_size >= 100 && (shx_size - 100) % 8 == 0)
        nshapes = (long)((shx_size - 100) / 8);
    /* counts first (the clearest message for a mismatched pair), then the bytes */
    int rc = check_dbf(ctx, user, dbf, nshapes, fields);
    if (rc == AGGLO_OK)
        rc = check_shp_index(ctx, user, shp, shx, &nshapes);
    if (rc == AGGLO_OK) {
        char *cpg = agglo_shp_sidecar(shp, "cpg");
        if (cpg)
            rc = check_cpg(ctx, user, cpg);
        free(cpg);
    }
    free(shx);
    free(dbf);
    return rc;
}
