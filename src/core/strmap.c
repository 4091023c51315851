/* String -> index hash map (open addressing, FNV-1a), for matching observation ids: weights
 * files against a layer, weights against data rows, uniqueness checks. Keys are borrowed. */
#include "core_internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

/* Smallest power of two >= 16 that keeps n keys at most half full (with 16 spare). */
static size_t cap_for(size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 16)
        cap *= 2;
    return cap;
}

int agglo_strmap_init(agglo_strmap *m, size_t n)
{
    m->cap = cap_for(n);
    m->n = 0;
    m->key = calloc(m->cap, sizeof(char *));
    m->val = malloc(m->cap * sizeof(int64_t));
    if (m->key && m->val)
        return 0;
    agglo_strmap_free(m);
    return -1;
}

void agglo_strmap_free(agglo_strmap *m)
{
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

int64_t agglo_strmap_get(const agglo_strmap *m, const char *k)
{
    size_t p = str_hash(k) & (m->cap - 1);
    while (m->key[p]) {
        if (strcmp(m->key[p], k) == 0)
            return m->val[p];
        p = (p + 1) & (m->cap - 1);
    }
    return -1;
}

int64_t agglo_strmap_put(agglo_strmap *m, const char *k, int64_t v)
{
    size_t p = str_hash(k) & (m->cap - 1);
    while (m->key[p]) {
        if (strcmp(m->key[p], k) == 0)
            return m->val[p];
        p = (p + 1) & (m->cap - 1);
    }
    m->key[p] = k;
    m->val[p] = v;
    m->n++;
    return -1;
}

int agglo_strmap_reserve(agglo_strmap *m, size_t n)
{
    if (2 * n + 16 <= m->cap)
        return 0;
    agglo_strmap bigger;
    if (agglo_strmap_init(&bigger, n > 2 * m->n ? n : 2 * m->n))
        return -1;
    for (size_t p = 0; p < m->cap; p++)
        if (m->key[p])
            agglo_strmap_put(&bigger, m->key[p], m->val[p]);
    agglo_strmap_free(m);
    *m = bigger;
    return 0;
}
