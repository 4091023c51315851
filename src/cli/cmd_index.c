/* agglo index TABLE --positive A,B --negative C [--method entropy|topsis|entropy-topsis] */
#define _GNU_SOURCE
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options index uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_VECTOR_OUT | CLI_ACCEPT_READ | CLI_ACCEPT_ID | CLI_ACCEPT_COMPUTE)

enum {
    OPT_POS = 1, OPT_NEG, OPT_METHOD, OPT_TIME, OPT_NORM, OPT_SHIFT, OPT_WEIGHTS, OPT_COUPLING,
    OPT_CTYPE, OPT_DROP
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo index TABLE --positive A,B [--negative C,D]\n"
            "                   [--method entropy|topsis|entropy-topsis] [--time FIELD]\n"
            "                   [--coupling A,B|C,D [--coupling-type classic|wang]] [--out FILE]\n\n"
            "Composite index of several indicators. entropy: min-max standardisation (negative\n"
            "indicators reversed) + the shift, p_ij = z_ij / sum_i z_ij, e_j = -(1/ln n) sum p ln p,\n"
            "w_j = (1 - e_j) / sum (1 - e_k), index = sum_j w_j z_ij. topsis: closeness\n"
            "C = D- / (D+ + D-) with the given (default equal) weights. entropy-topsis: TOPSIS with\n"
            "the entropy weights. The report lists e_j, d_j = 1 - e_j and the weights.\n\n"
            "  --positive A,B        indicators where more is better (fields or expressions)\n"
            "  --negative C,D        indicators where less is better\n"
            "  --method M            entropy (default), topsis or entropy-topsis\n"
            "  --normalize N         TOPSIS matrix: minmax (the shifted standardisation) or vector\n"
            "                        (x / sqrt(sum x^2), as R's topsis); default vector for topsis,\n"
            "                        minmax for entropy-topsis\n"
            "  --shift S             added after min-max so ln p is defined (default 0.0001)\n"
            "  --weights-given A=0.3,B=0.7  TOPSIS weights, one per indicator (normalised to sum 1)\n"
            "  --time FIELD          a panel: pooled \"global entropy\" over all n x T rows, means\n"
            "                        per period in the report\n"
            "  --coupling A,B|C,D    subsystems (groups of indicators): each subsystem's score U is\n"
            "                        its own entropy-weighted sum; coupling C, coordination T (mean\n"
            "                        U) and coupling coordination degree D = sqrt(C T) per row\n"
            "  --coupling-type T     classic: C = [prod U / (mean U)^k]^(1/k); wang: the corrected\n"
            "                        degree of Wang Shujia et al. (2021)\n"
            "  --drop-missing        drop rows with NULLs (default: refuse)\n"
            "  --out FILE            the table/layer with the columns index (and d_plus, d_minus;\n"
            "                        U1.., coupling_C, coupling_T, coupling_D)\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

static void free_list(char **l, size_t n)
{
    if (l)
        for (size_t i = 0; i < n; i++)
            free(l[i]);
    free(l);
}

static long find_name(char **names, size_t m, const char *s, size_t len)
{
    for (size_t j = 0; j < m; j++)
        if (strlen(names[j]) == len && strncmp(names[j], s, len) == 0)
            return (long)j;
    return -1;
}

/* "A=0.3,B=0.7": every indicator exactly once. */
static int parse_weights(const char *spec, char **names, size_t m, double *w)
{
    size_t n = 0;
    char **it = cli_split(spec, &n);
    int rc = it ? 0 : -1;
    unsigned char *seen = calloc(m ? m : 1, 1);
    if (!seen)
        rc = -1;
    for (size_t i = 0; !rc && i < n; i++) {
        char *eq = strrchr(it[i], '=');
        if (!eq) {
            rc = cli_usage("index", "--weights-given: '%s' is not NAME=WEIGHT", it[i]);
            break;
        }
        long j = find_name(names, m, it[i], (size_t)(eq - it[i]));
        char *end;
        double v = strtod(eq + 1, &end);
        if (j < 0)
            rc = cli_usage("index", "--weights-given: %.*s is not an indicator",
                           (int)(eq - it[i]), it[i]);
        else if (*end || eq[1] == 0 || !(v >= 0) || !isfinite(v))
            rc = cli_usage("index", "--weights-given: weight of %s is not a number >= 0",
                           names[j]);
        else if (seen[j]++)
            rc = cli_usage("index", "--weights-given: %s given twice", names[j]);
        else
            w[j] = v;
    }
    for (size_t j = 0; !rc && j < m; j++)
        if (!seen[j])
            rc = cli_usage("index", "--weights-given: no weight for %s", names[j]);
    free(seen);
    free_list(it, n);
    return rc ? -1 : 0;
}

/* "A,B|C,D" into group sizes and indicator positions. */
static int parse_coupling(const char *spec, char **names, size_t m, size_t *ng, size_t *size,
                          size_t *cols)
{
    size_t g = 0, k = 0;
    const char *p = spec;
    while (1) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char *grp = strndup(p, len);
        size_t n = 0;
        char **it = grp ? cli_split(grp, &n) : NULL;
        free(grp);
        if (!it || n == 0) {
            free_list(it, n);
            return cli_usage("index", "--coupling: empty subsystem in '%s'", spec), -1;
        }
        if (g >= m) {
            free_list(it, n);
            return cli_usage("index", "--coupling: more subsystems than indicators"), -1;
        }
        size[g] = n;
        for (size_t i = 0; i < n; i++) {
            long j = find_name(names, m, it[i], strlen(it[i]));
            int dup = 0;
            for (size_t q = 0; j >= 0 && q < k; q++)
                dup |= cols[q] == (size_t)j;
            if (j < 0 || dup || k >= m) {
                cli_usage("index", "--coupling: %s is %s", it[i],
                          j < 0 ? "not in --positive/--negative" : "in two subsystems");
                free_list(it, n);
                return -1;
            }
            cols[k++] = (size_t)j;
        }
        free_list(it, n);
        g++;
        if (!bar)
            break;
        p = bar + 1;
    }
    if (g < 2)
        return cli_usage("index", "--coupling needs at least 2 subsystems (A,B|C,D)"), -1;
    *ng = g;
    return 0;
}

static void summary(cli_report *r, const double *v, const int *per, int p, size_t n,
                    const char *key)
{
    long double s = 0;
    size_t c = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (per[i] >= 0 && (p < 0 || per[i] == p) && !isnan(v[i])) {
            s += v[i];
            c++;
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
    char k[256];
    snprintf(k, sizeof k, "%s_mean", key);
    cli_report_num(r, k, c ? (double)(s / c) : NAN);
    if (p < 0) {
        snprintf(k, sizeof k, "%s_min", key);
        cli_report_num(r, k, c ? lo : NAN);
        snprintf(k, sizeof k, "%s_max", key);
        cli_report_num(r, k, c ? hi : NAN);
    }
}

static const char *method_name(agglo_ci_method m)
{
    return m == AGGLO_CI_ENTROPY ? "entropy" : m == AGGLO_CI_TOPSIS ? "topsis" : "entropy-topsis";
}

static void report(cli_report *r, const agglo_ci_result *res, const agglo_ci_options *o,
                   const char *path, const char *const *gspec)
{
    char key[512];
    cli_report_str(r, "input", path);
    cli_report_str(r, "method", method_name(o->method));
    if (o->method != AGGLO_CI_ENTROPY)
        cli_report_str(r, "normalize", o->normalize == AGGLO_CI_VECTOR ? "vector" : "minmax");
    cli_report_num(r, "shift", o->shift);
    cli_report_int(r, "rows", (long long)res->nrows);
    cli_report_int(r, "n", (long long)res->n);
    if (res->nperiods)
        cli_report_int(r, "periods", (long long)res->nperiods);
    summary(r, res->index, res->period_of, -1, res->nrows, "index");
    for (size_t j = 0; j < res->m; j++) {
        cli_report_section_path(r, "indicator", res->names[j], (const char *)NULL);
        cli_report_str(r, "direction", res->negative[j] ? "negative" : "positive");
        if (o->method != AGGLO_CI_TOPSIS) {
            cli_report_num(r, "e", res->e[j]);
            cli_report_num(r, "d", res->d[j]);
        }
        cli_report_num(r, "w", res->weights[j]);
    }
    if (res->ngroups) {
        cli_report_section(r, "coupling");
        cli_report_str(r, "type", o->coupling == AGGLO_COUPLING_WANG ? "wang" : "classic");
        for (size_t g = 0; g < res->ngroups; g++) {
            snprintf(key, sizeof key, "U%zu", g + 1);
            cli_report_str(r, key, gspec && gspec[g] ? gspec[g] : "");
        }
        summary(r, res->C, res->period_of, -1, res->nrows, "C");
        summary(r, res->D, res->period_of, -1, res->nrows, "D");
        cli_report_section_path(r, "coupling", "w_within", (const char *)NULL);
        for (size_t j = 0; j < res->m; j++)
            if (!isnan(res->group_w[j]))
                cli_report_num(r, res->names[j], res->group_w[j]);
    }
    for (size_t p = 0; p < res->nperiods; p++) {
        cli_report_section_path(r, "period", res->periods[p], (const char *)NULL);
        size_t c = 0;
        for (size_t i = 0; i < res->nrows; i++)
            c += res->period_of[i] == (int)p;
        cli_report_int(r, "n", (long long)c);
        summary(r, res->index, res->period_of, (int)p, res->nrows, "index");
        if (res->ngroups)
            summary(r, res->D, res->period_of, (int)p, res->nrows, "D");
    }
}

static int add_col(agglo_ctx *ctx, agglo_table *t, const char *name, const double *v)
{
    long c = agglo_table_add_numeric(ctx, t, name, AGGLO_COL_REAL, v, NULL);
    if (c < 0) {
        char msg[1024]; /* the context's message buffer is rewritten by agglo_error */
        snprintf(msg, sizeof msg, "%s", agglo_ctx_errmsg(ctx));
        return agglo_error(ctx, (int)c, "cannot add column %s to the output: %s", name, msg);
    }
    return AGGLO_OK;
}

static int write_out(agglo_ctx *ctx, agglo_layer *layer, const agglo_ci_result *res,
                     const char *path)
{
    agglo_table *t = agglo_layer_table_mut(layer);
    int rc = add_col(ctx, t, "index", res->index);
    if (!rc && res->dplus)
        rc = add_col(ctx, t, "d_plus", res->dplus);
    if (!rc && res->dminus)
        rc = add_col(ctx, t, "d_minus", res->dminus);
    size_t G = res->ngroups, n = res->nrows;
    if (!rc && G) {
        double *u = malloc((n ? n : 1) * sizeof *u);
        if (!u)
            return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        for (size_t g = 0; !rc && g < G; g++) {
            char name[32];
            snprintf(name, sizeof name, "U%zu", g + 1);
            for (size_t i = 0; i < n; i++)
                u[i] = res->U[i * G + g];
            rc = add_col(ctx, t, name, u);
        }
        free(u);
        if (!rc)
            rc = add_col(ctx, t, "coupling_C", res->C);
        if (!rc)
            rc = add_col(ctx, t, "coupling_T", res->T);
        if (!rc)
            rc = add_col(ctx, t, "coupling_D", res->D);
    }
    if (rc)
        return rc;
    char ext[16];
    agglo_path_ext(path, ext, sizeof ext);
    if (strcmp(ext, "csv") == 0)
        return cli_write_table_csv(ctx, t, path);
    return agglo_layer_write(ctx, layer, path, NULL);
}

int cmd_index(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"positive", required_argument, 0, OPT_POS},
        {"negative", required_argument, 0, OPT_NEG},
        {"method", required_argument, 0, OPT_METHOD},
        {"time", required_argument, 0, OPT_TIME},
        {"normalize", required_argument, 0, OPT_NORM},
        {"shift", required_argument, 0, OPT_SHIFT},
        {"weights-given", required_argument, 0, OPT_WEIGHTS},
        {"coupling", required_argument, 0, OPT_COUPLING},
        {"coupling-type", required_argument, 0, OPT_CTYPE},
        {"drop-missing", no_argument, 0, OPT_DROP},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *pos = NULL, *neg = NULL, *time = NULL, *wspec = NULL, *cspec = NULL;
    const char *norm = NULL;
    agglo_ci_options o;
    agglo_ci_options_init(&o);
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "index", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_POS: pos = optarg; break;
        case OPT_NEG: neg = optarg; break;
        case OPT_TIME: time = optarg; break;
        case OPT_WEIGHTS: wspec = optarg; break;
        case OPT_COUPLING: cspec = optarg; break;
        case OPT_DROP: o.drop_missing = 1; break;
        case OPT_NORM: norm = optarg; break;
        case OPT_METHOD:
            if (strcmp(optarg, "entropy") == 0)
                o.method = AGGLO_CI_ENTROPY;
            else if (strcmp(optarg, "topsis") == 0)
                o.method = AGGLO_CI_TOPSIS;
            else if (strcmp(optarg, "entropy-topsis") == 0)
                o.method = AGGLO_CI_ENTROPY_TOPSIS;
            else
                return cli_usage("index", "--method: '%s' is not entropy, topsis or "
                                 "entropy-topsis", optarg);
            break;
        case OPT_SHIFT:
            if (cli_parse_double("index", "--shift", optarg, &o.shift))
                return CLI_USAGE;
            if (!(o.shift >= 0) || !isfinite(o.shift))
                return cli_usage("index", "--shift must be >= 0");
            break;
        case OPT_CTYPE:
            if (strcmp(optarg, "classic") == 0)
                o.coupling = AGGLO_COUPLING_CLASSIC;
            else if (strcmp(optarg, "wang") == 0)
                o.coupling = AGGLO_COUPLING_WANG;
            else
                return cli_usage("index", "--coupling-type: '%s' is not classic or wang",
                                 optarg);
            break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0)
                return r < 0 ? CLI_USAGE : cli_usage("index", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("index", "expects one TABLE");
    if (!pos && !neg)
        return cli_usage("index", "--positive and/or --negative indicators are required");
    if (norm) {
        if (o.method == AGGLO_CI_ENTROPY)
            return cli_usage("index", "--normalize applies to TOPSIS (the entropy method "
                             "always standardises by min-max)");
        if (strcmp(norm, "minmax") == 0)
            o.normalize = AGGLO_CI_MINMAX;
        else if (strcmp(norm, "vector") == 0)
            o.normalize = AGGLO_CI_VECTOR;
        else
            return cli_usage("index", "--normalize: '%s' is not minmax or vector", norm);
    } else {
        o.normalize = o.method == AGGLO_CI_TOPSIS ? AGGLO_CI_VECTOR : AGGLO_CI_MINMAX;
    }
    if (wspec && o.method != AGGLO_CI_TOPSIS)
        return cli_usage("index", "--weights-given needs --method topsis");
    size_t np = 0, nn = 0, m;
    char **pl = pos ? cli_split(pos, &np) : NULL, **nl = neg ? cli_split(neg, &nn) : NULL;
    char **names = NULL, **gspec = NULL;
    double *w = NULL;
    size_t *gsize = NULL, *gcols = NULL, ng = 0;
    int rc = CLI_OK;
    m = np + nn;
    if ((pos && !pl) || (neg && !nl) || m == 0 || !(names = calloc(m, sizeof *names)) ||
        !(w = calloc(m, sizeof *w)) || !(gsize = calloc(m, sizeof *gsize)) ||
        !(gcols = calloc(m, sizeof *gcols))) {
        rc = cli_usage("index", "--positive/--negative: no indicator names");
        goto free_lists;
    }
    for (size_t j = 0; j < m; j++)
        names[j] = j < np ? pl[j] : nl[j - np];
    if (wspec) {
        if (parse_weights(wspec, names, m, w)) {
            rc = CLI_USAGE;
            goto free_lists;
        }
        o.weights = w;
    }
    if (cspec) {
        if (parse_coupling(cspec, names, m, &ng, gsize, gcols)) {
            rc = CLI_USAGE;
            goto free_lists;
        }
        o.ngroups = ng;
        o.group_size = gsize;
        o.group_cols = gcols;
        gspec = calloc(ng, sizeof *gspec); /* the subsystems' text, for the report */
        const char *p = cspec;
        for (size_t g = 0; gspec && g < ng; g++) {
            const char *bar = strchr(p, '|');
            gspec[g] = bar ? strndup(p, (size_t)(bar - p)) : strdup(p);
            p = bar ? bar + 1 : p;
        }
    }
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx) {
        rc = CLI_FAIL;
        goto free_lists;
    }
    cli_report *r = cli_report_create("index");
    agglo_ci_result *res = NULL;
    agglo_layer *layer = cli_read_layer(ctx, path, &c);
    if (!layer)
        goto fail;
    res = agglo_ci_table(ctx, agglo_layer_table(layer), path, (const char *const *)pl, np,
                         (const char *const *)nl, nn, time, &o);
    if (!res)
        goto fail;
    report(r, res, &o, path, (const char *const *)gspec);
    if (c.out) {
        if (write_out(ctx, layer, res, c.out))
            goto fail;
        cli_report_section(r, NULL);
        cli_report_str(r, "output", c.out);
    }
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    cli_report_free(r);
    agglo_ci_result_free(res);
    agglo_layer_free(layer);
    agglo_ctx_free(ctx);
free_lists:
    free_list(pl, np);
    free_list(nl, nn);
    free_list(gspec, ng);
    free(names);
    free(w);
    free(gsize);
    free(gcols);
    return rc;
}
