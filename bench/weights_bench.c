/* weights_bench LAYER [REPS] [THREADS]: median CPU times (seconds) of reading the layer and
 * of building queen, rook and knn(8) weights with agglo, one "name seconds links" line each.
 * weights_bench --points N [THREADS]: knn(8) weights on N uniform random points; prints the
 * time and the peak resident memory of the process (getrusage). */
#include "agglo/agglo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

/* Process CPU time (all threads): unlike wall time it does not depend on how busy the machine
 * is, so ratios against R and Python measured the same way are stable on a shared machine.
 * Set WEIGHTS_BENCH_WALL=1 for wall-clock time. */
static double now(void)
{
    static int wall = -1;
    if (wall < 0)
        wall = getenv("WEIGHTS_BENCH_WALL") != NULL;
    struct timespec ts;
    clock_gettime(wall ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof(double), cmp);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: weights_bench LAYER [REPS] [THREADS]\n");
        return 2;
    }
    if (strcmp(argv[1], "--points") == 0 && argc > 2) {
        size_t n = (size_t)strtoull(argv[2], NULL, 10);
        agglo_ctx *ctx = agglo_ctx_create();
        if (argc > 3)
            agglo_ctx_set_threads(ctx, atoi(argv[3]));
        double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
        agglo_rng r;
        agglo_rng_init(&r, 1, 0);
        for (size_t i = 0; i < n; i++) {
            x[i] = agglo_rng_uniform(&r) * 1e6;
            y[i] = agglo_rng_uniform(&r) * 1e6;
        }
        double t0 = now();
        agglo_weights *W = agglo_weights_knn(ctx, x, y, n, 8, 0, NULL);
        double t = now() - t0;
        if (!W) {
            fprintf(stderr, "weights_bench: %s\n", agglo_ctx_errmsg(ctx));
            return 1;
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("knn8_points %.6f %zu maxrss_mib %.1f\n", t, agglo_weights_nnz(W), ru.ru_maxrss / 1024.0);
        agglo_weights_free(W);
        free(x);
        free(y);
        agglo_ctx_free(ctx);
        return 0;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (reps < 1)
        reps = 1;
    agglo_ctx *ctx = agglo_ctx_create();
    if (argc > 3)
        agglo_ctx_set_threads(ctx, atoi(argv[3]));
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.allow_invalid = 1;
    double t[64];
    if (reps > 64)
        reps = 64;
    agglo_layer *L = NULL;
    for (int r = 0; r < reps; r++) {
        agglo_layer_free(L);
        double t0 = now();
        L = agglo_layer_read(ctx, argv[1], &o);
        t[r] = now() - t0;
        if (!L) {
            fprintf(stderr, "weights_bench: %s\n", agglo_ctx_errmsg(ctx));
            return 1;
        }
    }
    size_t n = agglo_layer_count(L);
    printf("read %.6f %zu\n", median(t, reps), n);
    const char *kinds[] = {"queen", "rook"};
    for (int k = 0; k < 2; k++) {
        size_t links = 0;
        for (int r = 0; r < reps; r++) {
            double t0 = now();
            agglo_weights *W = k == 0 ? agglo_weights_queen(ctx, L, -1, NULL) : agglo_weights_rook(ctx, L, -1, NULL);
            t[r] = now() - t0;
            if (!W) {
                fprintf(stderr, "weights_bench: %s\n", agglo_ctx_errmsg(ctx));
                return 1;
            }
            links = agglo_weights_nnz(W);
            agglo_weights_free(W);
        }
        printf("%s %.6f %zu\n", kinds[k], median(t, reps), links);
    }
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    size_t links = 0;
    /* centroids outside the timing, as the spdep timing takes st_centroid's coordinates */
    double t0c = now();
    agglo_layer_coords(ctx, L, 0, x, y);
    printf("centroids %.6f %zu\n", now() - t0c, n);
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        agglo_weights *W = agglo_weights_knn(ctx, x, y, n, 8, 0, NULL);
        t[r] = now() - t0;
        if (!W) {
            fprintf(stderr, "weights_bench: %s\n", agglo_ctx_errmsg(ctx));
            return 1;
        }
        links = agglo_weights_nnz(W);
        agglo_weights_free(W);
    }
    printf("knn8 %.6f %zu\n", median(t, reps), links);
    free(x);
    free(y);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
    return 0;
}
