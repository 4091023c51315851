/* Kernel density benchmark driver (see bench/kde.sh, which runs it against spatstat).
 *
 *   kde_bench POINTS.bin NPOINTS XMIN YMIN XMAX YMAX NCOLS NROWS SIGMA KERNEL [REF.bin]
 *
 * POINTS.bin: NPOINTS x then NPOINTS y as little-endian doubles (written by R writeBin).
 * Runs agglo_kde_compute (FFT, nearest-pixel binning = spatstat's discretisation) three
 * times and prints the median wall time. With REF.bin (spatstat density.ppp $v, column-major
 * from the bottom row, as R writes a matrix) prints the maximum difference relative to the
 * maximum density and the maximum cellwise relative difference over cells above 1e-6 of the
 * maximum. KERNEL: gaussian or quartic (h = SIGMA is the radius for quartic; spatstat has
 * no equivalent, so quartic is timed only). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agglo/agglo.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 11) {
        fprintf(stderr, "usage: kde_bench POINTS.bin N XMIN YMIN XMAX YMAX NCOLS NROWS SIGMA KERNEL [REF.bin]\n");
        return 2;
    }
    size_t n = strtoull(argv[2], NULL, 10);
    double ext[4] = {atof(argv[3]), atof(argv[4]), atof(argv[5]), atof(argv[6])};
    size_t nc = strtoull(argv[7], NULL, 10), nr = strtoull(argv[8], NULL, 10);
    double sigma = atof(argv[9]);
    double *xy = malloc(2 * n * sizeof(double));
    FILE *f = fopen(argv[1], "rb");
    if (!f || fread(xy, sizeof(double), 2 * n, f) != 2 * n) {
        fprintf(stderr, "kde_bench: cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_grid g = {ext[0], ext[3], (ext[2] - ext[0]) / (double)nc, nc, nr};
    if (fabs((ext[3] - ext[1]) / (double)nr - g.cell) > 1e-9 * g.cell) {
        fprintf(stderr, "kde_bench: cells must be square\n");
        return 2;
    }
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    o.kernel = strcmp(argv[10], "quartic") == 0 ? AGGLO_KDE_KERNEL_QUARTIC : AGGLO_KDE_KERNEL_GAUSSIAN;
    o.bandwidth = sigma;
    o.method = AGGLO_KDE_FFT;
    o.binning = AGGLO_KDE_BIN_NEAREST;
    double *out = malloc(nc * nr * sizeof(double));
    double t[3], cpu[3];
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        clock_t c0 = clock();
        if (agglo_kde_compute(ctx, xy, xy + n, NULL, n, &g, &o, out, NULL)) {
            fprintf(stderr, "kde_bench: %s\n", agglo_ctx_errmsg(ctx));
            return 1;
        }
        t[rep] = now() - t0;
        cpu[rep] = (double)(clock() - c0) / CLOCKS_PER_SEC;
    }
    qsort(t, 3, sizeof(double), cmpd);
    qsort(cpu, 3, sizeof(double), cmpd);
    printf("agglo_seconds %.4f\n", t[1]);
    printf("agglo_cpu_seconds %.4f\n", cpu[1]);
    if (argc > 11) {
        double *ref = malloc(nc * nr * sizeof(double));
        f = fopen(argv[11], "rb");
        if (!f || fread(ref, sizeof(double), nc * nr, f) != nc * nr) {
            fprintf(stderr, "kde_bench: cannot read %s\n", argv[11]);
            return 1;
        }
        fclose(f);
        /* R matrix v[row, col], row 1 = bottom, stored column-major */
        double dmax = 0, vmax = 0, cell = 0;
        for (size_t r = 0; r < nr; r++)
            for (size_t c = 0; c < nc; c++)
                vmax = fmax(vmax, fabs(ref[c * nr + r]));
        for (size_t r = 0; r < nr; r++)
            for (size_t c = 0; c < nc; c++) {
                double b = ref[c * nr + r], a = out[(nr - 1 - r) * nc + c];
                dmax = fmax(dmax, fabs(a - b));
                if (fabs(b) > 1e-6 * vmax)
                    cell = fmax(cell, fabs(a - b) / fabs(b));
            }
        printf("max_abs_diff_over_max %.3g\n", dmax / vmax);
        printf("max_cellwise_rel_diff %.3g\n", cell);
        free(ref);
    }
    free(out);
    free(xy);
    agglo_ctx_free(ctx);
    return 0;
}
