/* Sparse log-determinants, O(non-zeros) memory: CHOLMOD's Cholesky of I - rho S for W
 * symmetric or similar to symmetric (S = D^1/2 W D^-1/2, the same determinant; spatialreg's
 * method = "Matrix"), and UMFPACK's LU of I - rho W for any W (method = "LU"). The symbolic
 * analysis (fill-reducing ordering) is done once; each rho refactorises numerically. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <suitesparse/cholmod.h>
#include <suitesparse/umfpack.h>

#include "regress_internal.h"

struct rg_sparse_ld {
    agglo_ctx *ctx;
    size_t n;
    /* the matrix in compressed columns: off-diagonal values v0 (times -rho), diagonal d0 */
    int *cp, *ri;
    double *x, *v0;
    int *isdiag;
    /* cholmod */
    cholmod_common cc;
    cholmod_sparse *A;
    cholmod_factor *L;
    int cholmod_started;
    /* umfpack */
    void *symbolic;
};

/* Builds the CSC arrays from CSR rows: upper = 1 keeps entries with row <= column (for the
 * symmetric S, whose CSR rows are its columns); otherwise all entries of W's rows taken as
 * columns (the transpose: same determinant). A diagonal entry is added to each column. */
static int build(rg_sparse_ld *c, const agglo_weights *w, const double *vals, int upper)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    size_t nnz = rp[n] + n;
    c->n = n;
    c->cp = malloc((n + 1) * sizeof(int));
    c->ri = malloc(nnz * sizeof(int));
    c->x = malloc(nnz * sizeof(double));
    c->v0 = malloc(nnz * sizeof(double));
    c->isdiag = malloc(nnz * sizeof(int));
    if (!c->cp || !c->ri || !c->x || !c->v0 || !c->isdiag)
        return agglo_error(c->ctx, AGGLO_E_NOMEM, "regression: out of memory");
    if (nnz > 2147483647u)
        return agglo_error(c->ctx, AGGLO_E_USAGE, "regression: too many non-zeros");
    size_t q = 0;
    for (size_t j = 0; j < n; j++) {
        c->cp[j] = (int)q;
        int diag_done = 0;
        for (size_t k = rp[j]; k < rp[j + 1]; k++) {
            size_t i = (size_t)col[k];
            if (upper && i > j)
                break;
            if (!diag_done && i >= j) {
                c->ri[q] = (int)j;
                c->v0[q] = 0;
                c->isdiag[q++] = 1;
                diag_done = 1;
                if (i == j) { /* a diagonal weight */
                    c->v0[q - 1] = vals[k];
                    continue;
                }
            }
            c->ri[q] = (int)i;
            c->v0[q] = vals[k];
            c->isdiag[q++] = 0;
        }
        if (!diag_done) {
            c->ri[q] = (int)j;
            c->v0[q] = 0;
            c->isdiag[q++] = 1;
        }
    }
    c->cp[n] = (int)q;
    return AGGLO_OK;
}

static void set_values(rg_sparse_ld *c, double rho)
{
    size_t q = (size_t)c->cp[c->n];
    for (size_t k = 0; k < q; k++)
        c->x[k] = (c->isdiag[k] ? 1.0 : 0.0) - rho * c->v0[k];
}

static void base_free(rg_sparse_ld *c)
{
    free(c->cp);
    free(c->ri);
    free(c->x);
    free(c->v0);
    free(c->isdiag);
    free(c);
}

rg_sparse_ld *rg_cholmod_create(agglo_ctx *ctx, const agglo_weights *w, const double *s)
{
    rg_sparse_ld *c = calloc(1, sizeof *c);
    if (!c) {
        agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        return NULL;
    }
    c->ctx = ctx;
    if (build(c, w, s, 1)) {
        base_free(c);
        return NULL;
    }
    cholmod_start(&c->cc);
    c->cholmod_started = 1;
    c->cc.print = 0;
    c->cc.error_handler = NULL;
    if (c->n < 100000) {
        /* the supernodal factorisation starts OpenMP regions and BLAS threads whose cost
         * exceeds the work for small factors (20,000 Voronoi cells: 0.55 s CPU against
         * 0.30 s simplicial for a lag fit) */
        c->cc.supernodal = CHOLMOD_SIMPLICIAL;
    } else {
        /* try AMD and METIS, keep the lesser fill: on a 1000 x 1000 lattice AMD's
         * factorisation takes 1.8e10 flops, METIS's nested dissection 1.3e10 */
        c->cc.nmethods = 3;
    }
    c->A = cholmod_allocate_sparse(c->n, c->n, (size_t)c->cp[c->n], 1, 1, 1, CHOLMOD_REAL, &c->cc);
    if (!c->A) {
        agglo_error(ctx, AGGLO_E_NOMEM, "regression: CHOLMOD could not allocate the matrix");
        rg_cholmod_free(c);
        return NULL;
    }
    memcpy(c->A->p, c->cp, (c->n + 1) * sizeof(int));
    memcpy(c->A->i, c->ri, (size_t)c->cp[c->n] * sizeof(int));
    set_values(c, 0.0);
    memcpy(c->A->x, c->x, (size_t)c->cp[c->n] * sizeof(double));
    c->L = cholmod_analyze(c->A, &c->cc);
    if (!c->L) {
        agglo_error(ctx, AGGLO_E_NUMERIC, "regression: CHOLMOD analysis failed (status %d)",
                    c->cc.status);
        rg_cholmod_free(c);
        return NULL;
    }
    return c;
}

int rg_cholmod_eval(rg_sparse_ld *c, double rho, double *ld)
{
    set_values(c, rho);
    memcpy(c->A->x, c->x, (size_t)c->cp[c->n] * sizeof(double));
    if (!cholmod_factorize(c->A, c->L, &c->cc) || c->cc.status != CHOLMOD_OK ||
        c->L->minor < c->n)
        return agglo_error(c->ctx, AGGLO_E_NUMERIC, "regression: I - %g W is not positive "
                           "definite (rho outside the admissible range)", rho);
    cholmod_factor *L = c->L;
    const double *Lx = L->x;
    double s = 0;
    if (L->is_super) {
        const int *super = L->super, *pi = L->pi, *px = L->px;
        for (size_t k = 0; k < L->nsuper; k++) {
            int k1 = super[k], k2 = super[k + 1], nsrow = pi[k + 1] - pi[k];
            for (int j = 0; j < k2 - k1; j++)
                s += 2.0 * log(Lx[px[k] + j + (size_t)j * (size_t)nsrow]);
        }
    } else {
        const int *Lp = L->p;
        for (size_t j = 0; j < c->n; j++)
            s += L->is_ll ? 2.0 * log(Lx[Lp[j]]) : log(Lx[Lp[j]]);
    }
    *ld = s;
    return AGGLO_OK;
}

void rg_cholmod_free(rg_sparse_ld *c)
{
    if (!c)
        return;
    if (c->cholmod_started) {
        cholmod_free_factor(&c->L, &c->cc);
        cholmod_free_sparse(&c->A, &c->cc);
        cholmod_finish(&c->cc);
    }
    base_free(c);
}

rg_sparse_ld *rg_umfpack_create(agglo_ctx *ctx, const agglo_weights *w)
{
    rg_sparse_ld *c = calloc(1, sizeof *c);
    if (!c) {
        agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        return NULL;
    }
    c->ctx = ctx;
    if (build(c, w, agglo_weights_values(w), 0)) {
        base_free(c);
        return NULL;
    }
    set_values(c, 0.0);
    int st = umfpack_di_symbolic((int)c->n, (int)c->n, c->cp, c->ri, c->x, &c->symbolic, NULL,
                                 NULL);
    if (st != UMFPACK_OK) {
        agglo_error(ctx, AGGLO_E_NUMERIC, "regression: UMFPACK analysis failed (status %d)", st);
        rg_umfpack_free(c);
        return NULL;
    }
    return c;
}

int rg_umfpack_eval(rg_sparse_ld *c, double rho, double *ld)
{
    set_values(c, rho);
    void *numeric = NULL;
    int st = umfpack_di_numeric(c->cp, c->ri, c->x, c->symbolic, &numeric, NULL, NULL);
    double mx = 0, ex = 0;
    if (st == UMFPACK_OK)
        st = umfpack_di_get_determinant(&mx, &ex, numeric, NULL);
    umfpack_di_free_numeric(&numeric);
    if (st != UMFPACK_OK || !(mx > 0))
        return agglo_error(c->ctx, AGGLO_E_NUMERIC, "regression: the LU of I - %g W failed or "
                           "its determinant is not positive (rho outside the admissible "
                           "range)", rho);
    *ld = log(mx) + ex * 2.302585092994046;
    return AGGLO_OK;
}

void rg_umfpack_free(rg_sparse_ld *c)
{
    if (!c)
        return;
    if (c->symbolic)
        umfpack_di_free_symbolic(&c->symbolic);
    base_free(c);
}

int rg_umfpack_solve(agglo_ctx *ctx, const agglo_weights *w, double rho, const double *b,
                     double *z)
{
    rg_sparse_ld *c = rg_umfpack_create(ctx, w);
    if (!c)
        return agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
    set_values(c, rho);
    void *numeric = NULL;
    int st = umfpack_di_numeric(c->cp, c->ri, c->x, c->symbolic, &numeric, NULL, NULL);
    /* the columns built are W's rows: the stored matrix is (I - rho W)', so solve with its
     * transpose */
    if (st == UMFPACK_OK)
        st = umfpack_di_solve(UMFPACK_At, c->cp, c->ri, c->x, z, b, numeric, NULL, NULL);
    umfpack_di_free_numeric(&numeric);
    rg_umfpack_free(c);
    if (st != UMFPACK_OK)
        return agglo_error(ctx, AGGLO_E_SINGULAR, "regression: solving with I - %g W failed "
                           "(UMFPACK status %d)", rho, st);
    return AGGLO_OK;
}
