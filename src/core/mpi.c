/* Distribution of per-observation work over MPI ranks (core_internal.h). */
#include <stdlib.h>

#include "core_internal.h"

#ifdef AGGLO_WITH_MPI
#include <mpi.h>
#endif

agglo__core_part agglo__core_mpi_partition(size_t n)
{
    agglo__core_part p = {0, n, 1};
#ifdef AGGLO_WITH_MPI
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (init && !fin) {
        int rank = 0, size = 1;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        if (size > 1) {
            p.size = size;
            p.lo = n * (size_t)rank / (size_t)size;
            p.hi = n * (size_t)(rank + 1) / (size_t)size;
        }
    }
#endif
    return p;
}

int agglo__core_mpi_allgather(const agglo__core_part *pt, size_t n, void *buf, size_t width, int bytes)
{
#ifdef AGGLO_WITH_MPI
    if (pt->size <= 1)
        return 0;
    int size = pt->size;
    int *counts = malloc(2 * (size_t)size * sizeof(int));
    if (!counts)
        return -1;
    int *displs = counts + size;
    for (int r = 0; r < size; r++) {
        size_t lo = n * (size_t)r / (size_t)size, hi = n * (size_t)(r + 1) / (size_t)size;
        counts[r] = (int)((hi - lo) * width);
        displs[r] = (int)(lo * width);
    }
    int rc = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs,
                            bytes ? MPI_UNSIGNED_CHAR : MPI_DOUBLE, MPI_COMM_WORLD);
    free(counts);
    return rc == MPI_SUCCESS ? 0 : -1;
#else
    (void)pt;
    (void)n;
    (void)buf;
    (void)width;
    (void)bytes;
    return 0;
#endif
}

size_t agglo__core_mpi_allsum(const agglo__core_part *pt, size_t v, int max)
{
#ifdef AGGLO_WITH_MPI
    if (pt->size > 1) {
        unsigned long long in = v, out = 0;
        MPI_Allreduce(&in, &out, 1, MPI_UNSIGNED_LONG_LONG, max ? MPI_MAX : MPI_SUM,
                      MPI_COMM_WORLD);
        return (size_t)out;
    }
#else
    (void)pt;
    (void)max;
#endif
    return v;
}
