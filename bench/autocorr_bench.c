/* Benchmark of the permutation hot loops: global Moran with 999 permutations and LISA with
 * 999 conditional permutations on a hexagonal tessellation of n regions (queen contiguity of
 * hexagons = the 6 edge neighbours, as real region layers have about 6), row-standardised.
 * Writes the weights (GAL) and the variable (CSV) so bench/autocorr.sh can time R spdep
 * moran.mc and localmoran_perm on the same data in the same run.
 *
 * usage: autocorr_bench N OUTDIR [PERMUTATIONS] [REPEATS]
 * prints: n=N nnz=.. threads=.. moran_s=<median wall> lisa_s=<median wall>
 *         moran_cpu_s lisa_cpu_s (process CPU time, all threads) I=.. */
#define _POSIX_C_SOURCE 200809L
#include "agglo/agglo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: autocorr_bench N OUTDIR [PERMUTATIONS] [REPEATS]\n");
        return 2;
    }
    long n_target = atol(argv[1]);
    const char *dir = argv[2];
    long perms = argc > 3 ? atol(argv[3]) : 999;
    int reps = argc > 4 ? atoi(argv[4]) : 5;
    if (n_target < 16 || perms < 1 || reps < 1)
        return 2;
    long cols = (long)ceil(sqrt((double)n_target)), rows = (n_target + cols - 1) / cols;
    size_t n = (size_t)(rows * cols);
    size_t *rp = calloc(n + 1, sizeof(size_t));
    int32_t *col = malloc(6 * n * sizeof(int32_t));
    size_t e = 0;
    for (long r = 0; r < rows; r++)
        for (long c = 0; c < cols; c++) {
            long odd = r & 1;
            long nb[6][2] = {{r, c - 1},        {r, c + 1},        {r - 1, c - 1 + odd},
                             {r - 1, c + odd},  {r + 1, c - 1 + odd}, {r + 1, c + odd}};
            int32_t tmp[6];
            int k = 0;
            for (int q = 0; q < 6; q++)
                if (nb[q][0] >= 0 && nb[q][0] < rows && nb[q][1] >= 0 && nb[q][1] < cols)
                    tmp[k++] = (int32_t)(nb[q][0] * cols + nb[q][1]);
            for (int a = 1; a < k; a++) /* sort */
                for (int b = a; b > 0 && tmp[b - 1] > tmp[b]; b--) {
                    int32_t t = tmp[b];
                    tmp[b] = tmp[b - 1];
                    tmp[b - 1] = t;
                }
            for (int q = 0; q < k; q++)
                col[e++] = tmp[q];
            rp[r * cols + c + 1] = e;
        }
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_weights *w = agglo_weights_create(ctx, n, rp, col, NULL, NULL);
    if (!w || agglo_weights_transform(ctx, w, AGGLO_TRANSFORM_W)) {
        fprintf(stderr, "%s\n", agglo_ctx_errmsg(ctx));
        return 1;
    }
    /* a spatially autocorrelated variable: noise plus the mean of the neighbours' noise */
    double *eps = malloc(n * sizeof(double)), *x = malloc(n * sizeof(double));
    agglo_rng g;
    agglo_rng_init(&g, 42, 0);
    for (size_t i = 0; i < n; i++)
        eps[i] = agglo_rng_normal(&g);
    agglo_weights_lag(w, eps, x);
    for (size_t i = 0; i < n; i++)
        x[i] = 10 + eps[i] + x[i];
    /* GAL + CSV for R */
    char path[1024];
    snprintf(path, sizeof path, "%s/hex_%zu.gal", dir, n);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "0 %zu hex ID\n", n);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%zu %zu\n", i + 1, rp[i + 1] - rp[i]);
        for (size_t k = rp[i]; k < rp[i + 1]; k++)
            fprintf(f, "%s%d", k > rp[i] ? " " : "", col[k] + 1);
        fputc('\n', f);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/hex_%zu.csv", dir, n);
    f = fopen(path, "w");
    fprintf(f, "x\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.17g\n", x[i]);
    fclose(f);

    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = perms;
    o.seed = 1;
    double *tm = malloc((size_t)reps * sizeof(double)), *tl = malloc((size_t)reps * sizeof(double));
    double *cm = malloc((size_t)reps * sizeof(double)), *cl = malloc((size_t)reps * sizeof(double));
    agglo_global_result r;
    for (int k = 0; k < reps; k++) {
        double t0 = now(), c0 = cpu();
        if (agglo_moran_global(ctx, w, x, &o, &r)) {
            fprintf(stderr, "%s\n", agglo_ctx_errmsg(ctx));
            return 1;
        }
        tm[k] = now() - t0;
        cm[k] = cpu() - c0;
        t0 = now();
        c0 = cpu();
        agglo_local_result *l = agglo_moran_local(ctx, w, x, &o);
        tl[k] = now() - t0;
        cl[k] = cpu() - c0;
        if (!l) {
            fprintf(stderr, "%s\n", agglo_ctx_errmsg(ctx));
            return 1;
        }
        agglo_local_result_free(l);
    }
    const char *th = getenv("OMP_NUM_THREADS");
    printf("n=%zu nnz=%zu threads=%s permutations=%ld moran_s=%.5f lisa_s=%.5f "
           "moran_cpu_s=%.5f lisa_cpu_s=%.5f I=%.6f p_sim=%.4f\n",
           n, agglo_weights_nnz(w), th ? th : "all", perms, median(tm, reps), median(tl, reps),
           median(cm, reps), median(cl, reps), r.statistic, r.p_sim);
    free(cm);
    free(cl);
    free(tm);
    free(tl);
    free(eps);
    free(x);
    free(rp);
    free(col);
    agglo_weights_free(w);
    agglo_ctx_free(ctx);
    return 0;
}
