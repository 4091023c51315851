/* Small helpers shared by the cmocka tests. */
#ifndef AGGLO_TEST_UTIL_H
#define AGGLO_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_DATA(rel) AGGLO_TEST_DATA "/" rel

/* |a - b| <= tol * max(1, |b|) */
#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b);                                                               \
        if (!(fabs(a_ - b_) <= (tol) * fmax(1.0, fabs(b_)))) {                                   \
            print_error("%s = %.17g, expected %.17g (tol %g)\n", #a, a_, b_, (double)(tol));    \
            fail();                                                                              \
        }                                                                                        \
    } while (0)

/* Reads a whole text file into a malloc'd string (NULL if missing). */
static inline char *test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* Point set read from a CSV with header x,y[,weight] (weight 1 when absent). */
typedef struct pset {
    double *x, *y, *w;
    size_t n;
} pset;

/* CSV with header x,y[,weight] */
static inline pset read_points_csv(const char *path)
{
    pset p = {0};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    size_t cap = 256;
    p.x = malloc(cap * sizeof(double));
    p.y = malloc(cap * sizeof(double));
    p.w = malloc(cap * sizeof(double));
    while (fgets(line, sizeof line, f)) {
        double a, b, c = 1;
        int k = sscanf(line, "%lf,%lf,%lf", &a, &b, &c);
        if (k < 2)
            continue;
        if (p.n == cap) {
            cap *= 2;
            p.x = realloc(p.x, cap * sizeof(double));
            p.y = realloc(p.y, cap * sizeof(double));
            p.w = realloc(p.w, cap * sizeof(double));
        }
        p.x[p.n] = a;
        p.y[p.n] = b;
        p.w[p.n] = k == 3 ? c : 1;
        p.n++;
    }
    fclose(f);
    return p;
}

static inline void pset_free(pset *p)
{
    free(p->x);
    free(p->y);
    free(p->w);
}

#endif
