/* Expressions over table fields (grammar in include/agglo/expr.h): parsed by recursive descent
 * into postfix code, evaluated row by row on a small value stack. */
#define _GNU_SOURCE
#include "agglo/expr.h"
#include "core_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    OP_CONST, OP_FIELD, OP_NEG, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW,
    OP_LOG, OP_LOG1P, OP_LOG10, OP_EXP, OP_SQRT, OP_ABS
} op_kind;

typedef struct {
    op_kind op;
    double value;  /* OP_CONST */
    size_t field;  /* OP_FIELD: index into fields */
} instr;

struct agglo_expr {
    char *text;
    instr *code;
    size_t ncode, capcode;
    char **fields;
    size_t nfields;
    size_t max_depth;
};

typedef struct {
    agglo_ctx *ctx;
    agglo_expr *e;
    const char *s;   /* whole text */
    const char *p;   /* cursor */
    int failed;
} parser;

static const struct {
    const char *name;
    op_kind op;
} functions[] = {{"log", OP_LOG},   {"log1p", OP_LOG1P}, {"log10", OP_LOG10},
                 {"exp", OP_EXP},   {"sqrt", OP_SQRT},   {"abs", OP_ABS}};

static void fail(parser *ps, const char *what)
{
    if (ps->failed)
        return;
    ps->failed = 1;
    agglo_error(ps->ctx, AGGLO_E_USAGE, "expression '%s': %s at character %zu", ps->s, what,
                (size_t)(ps->p - ps->s) + 1);
}

static void emit(parser *ps, op_kind op, double value, size_t field)
{
    agglo_expr *e = ps->e;
    if (ps->failed)
        return;
    if (e->ncode == e->capcode) {
        size_t cap = e->capcode ? 2 * e->capcode : 16;
        instr *c = realloc(e->code, cap * sizeof *c);
        if (!c) {
            ps->failed = 1;
            agglo_error(ps->ctx, AGGLO_E_NOMEM, "out of memory");
            return;
        }
        e->code = c;
        e->capcode = cap;
    }
    e->code[e->ncode++] = (instr){op, value, field};
}

static void skip_space(parser *ps)
{
    while (*ps->p && isspace((unsigned char)*ps->p))
        ps->p++;
}

static int name_start(unsigned char c) { return isalpha(c) || c == '_' || c >= 0x80; }
static int name_char(unsigned char c) { return name_start(c) || isdigit(c) || c == '.'; }

static size_t field_index(parser *ps, const char *name, size_t len)
{
    agglo_expr *e = ps->e;
    for (size_t i = 0; i < e->nfields; i++)
        if (strlen(e->fields[i]) == len && memcmp(e->fields[i], name, len) == 0)
            return i;
    char **f = realloc(e->fields, (e->nfields + 1) * sizeof *f);
    char *copy = f ? strndup(name, len) : NULL;
    if (!copy) {
        if (f)
            e->fields = f;
        ps->failed = 1;
        agglo_error(ps->ctx, AGGLO_E_NOMEM, "out of memory");
        return 0;
    }
    e->fields = f;
    e->fields[e->nfields] = copy;
    return e->nfields++;
}

static void parse_expr(parser *ps);
static void parse_unary(parser *ps);

static void parse_primary(parser *ps)
{
    skip_space(ps);
    unsigned char c = (unsigned char)*ps->p;
    if (c == '(') {
        ps->p++;
        parse_expr(ps);
        skip_space(ps);
        if (*ps->p != ')')
            return fail(ps, "expected ')'");
        ps->p++;
    } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)ps->p[1]))) {
        char *end;
        errno = 0;
        double v = strtod(ps->p, &end);
        if (errno == ERANGE && fabs(v) > 1)
            return fail(ps, "number out of range");
        ps->p = end;
        emit(ps, OP_CONST, v, 0);
    } else if (c == '"' || c == '`') {
        const char *start = ++ps->p;
        while (*ps->p && (unsigned char)*ps->p != c)
            ps->p++;
        if (!*ps->p)
            return fail(ps, "unterminated quoted field name");
        size_t len = (size_t)(ps->p - start);
        ps->p++;
        if (!len)
            return fail(ps, "empty field name");
        emit(ps, OP_FIELD, 0, field_index(ps, start, len));
    } else if (name_start(c)) {
        const char *start = ps->p;
        while (*ps->p && name_char((unsigned char)*ps->p))
            ps->p++;
        size_t len = (size_t)(ps->p - start);
        const char *after = ps->p;
        skip_space(ps);
        if (*ps->p == '(') {
            for (size_t k = 0; k < sizeof functions / sizeof functions[0]; k++) {
                if (strlen(functions[k].name) == len && memcmp(functions[k].name, start, len) == 0) {
                    ps->p++;
                    parse_expr(ps);
                    skip_space(ps);
                    if (*ps->p != ')')
                        return fail(ps, "expected ')' after the function's argument");
                    ps->p++;
                    emit(ps, functions[k].op, 0, 0);
                    return;
                }
            }
            ps->p = start;
            return fail(ps, "unknown function (known: log, log1p, log10, exp, sqrt, abs)");
        }
        ps->p = after;
        emit(ps, OP_FIELD, 0, field_index(ps, start, len));
    } else {
        fail(ps, c ? "expected a number, a field or '('" : "unexpected end");
    }
}

static void parse_power(parser *ps)
{
    parse_primary(ps);
    skip_space(ps);
    if (*ps->p == '^') {
        ps->p++;
        parse_unary(ps); /* right-associative: a^b^c = a^(b^c); a^-1 allowed */
        emit(ps, OP_POW, 0, 0);
    }
}

static void parse_unary(parser *ps)
{
    skip_space(ps);
    if (*ps->p == '-') {
        ps->p++;
        parse_unary(ps);
        emit(ps, OP_NEG, 0, 0);
    } else if (*ps->p == '+') {
        ps->p++;
        parse_unary(ps);
    } else {
        parse_power(ps);
    }
}

static void parse_term(parser *ps)
{
    parse_unary(ps);
    for (;;) {
        skip_space(ps);
        char c = *ps->p;
        if (ps->failed || (c != '*' && c != '/'))
            return;
        ps->p++;
        parse_unary(ps);
        emit(ps, c == '*' ? OP_MUL : OP_DIV, 0, 0);
    }
}

static void parse_expr(parser *ps)
{
    parse_term(ps);
    for (;;) {
        skip_space(ps);
        char c = *ps->p;
        if (ps->failed || (c != '+' && c != '-'))
            return;
        ps->p++;
        parse_term(ps);
        emit(ps, c == '+' ? OP_ADD : OP_SUB, 0, 0);
    }
}

/* Stack depth the postfix code needs (each operand pushes one, binary operators pop one). */
static size_t code_depth(const agglo_expr *e)
{
    size_t depth = 0, max = 0;
    for (size_t i = 0; i < e->ncode; i++) {
        op_kind op = e->code[i].op;
        if (op == OP_CONST || op == OP_FIELD)
            depth++;
        else if (op >= OP_ADD && op <= OP_POW)
            depth--;
        if (depth > max)
            max = depth;
    }
    return max;
}

agglo_expr *agglo_expr_parse(agglo_ctx *ctx, const char *text)
{
    agglo_expr *e = agglo_calloc(ctx, 1, sizeof *e);
    if (!e)
        return NULL;
    if (!(e->text = agglo_strdup(ctx, text ? text : ""))) {
        free(e);
        return NULL;
    }
    parser ps = {ctx, e, e->text, e->text, 0};
    parse_expr(&ps);
    skip_space(&ps);
    if (!ps.failed && *ps.p)
        fail(&ps, "unexpected text");
    if (ps.failed) {
        agglo_expr_free(e);
        return NULL;
    }
    e->max_depth = code_depth(e);
    return e;
}

void agglo_expr_free(agglo_expr *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nfields; i++)
        free(e->fields[i]);
    free(e->fields);
    free(e->code);
    free(e->text);
    free(e);
}

size_t agglo_expr_field_count(const agglo_expr *e) { return e->nfields; }
const char *agglo_expr_field(const agglo_expr *e, size_t i) { return e->fields[i]; }

/* One row: NaN for NULL inputs and for undefined operations (no floating-point exceptions are
 * relied upon; every domain is checked explicitly). */
static double eval_row(const agglo_expr *e, const double *const *cols, size_t row, double *stack)
{
    size_t top = 0;
    for (size_t i = 0; i < e->ncode; i++) {
        const instr *in = &e->code[i];
        double a, b, r;
        switch (in->op) {
        case OP_CONST: stack[top++] = in->value; continue;
        case OP_FIELD: stack[top++] = cols[in->field][row]; continue;
        case OP_NEG: stack[top - 1] = -stack[top - 1]; continue;
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_POW:
            b = stack[--top];
            a = stack[top - 1];
            if (in->op == OP_ADD)
                r = a + b;
            else if (in->op == OP_SUB)
                r = a - b;
            else if (in->op == OP_MUL)
                r = a * b;
            else if (in->op == OP_DIV)
                r = b != 0 ? a / b : NAN;
            else
                r = pow(a, b);
            stack[top - 1] = isfinite(r) ? r : NAN;
            continue;
        default:
            a = stack[top - 1];
            switch (in->op) {
            case OP_LOG: r = a > 0 ? log(a) : NAN; break;
            case OP_LOG1P: r = a > -1 ? log1p(a) : NAN; break;
            case OP_LOG10: r = a > 0 ? log10(a) : NAN; break;
            case OP_EXP: r = exp(a); break;
            case OP_SQRT: r = a >= 0 ? sqrt(a) : NAN; break;
            default: r = fabs(a); break;
            }
            stack[top - 1] = isfinite(r) ? r : NAN;
        }
    }
    return stack[0];
}

int agglo_expr_eval(agglo_ctx *ctx, const agglo_expr *e, const double *const *field_values,
                    size_t n, double *out, size_t *n_undefined)
{
    size_t nf = e->nfields, undefined = 0;
    double *stack = agglo_malloc(ctx, (e->max_depth ? e->max_depth : 1) * sizeof *stack);
    if (!stack)
        return AGGLO_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        int null_input = 0;
        for (size_t j = 0; j < nf && !null_input; j++)
            null_input = isnan(field_values[j][i]);
        out[i] = null_input ? NAN : eval_row(e, field_values, i, stack);
        if (!null_input && isnan(out[i]))
            undefined++;
    }
    free(stack);
    if (n_undefined)
        *n_undefined = undefined;
    return AGGLO_OK;
}
