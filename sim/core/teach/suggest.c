/* suggest.c - "did you mean" (see suggest.h). */
#include "core/teach/suggest.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SUGGEST_MAX_NAME 64

size_t suggest_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n >= SUGGEST_MAX_NAME || m >= SUGGEST_MAX_NAME)
        return SIZE_MAX;
    /* d[i][j]: edits from the first i bytes of a to the first j of b; O(n*m), names are short */
    size_t d[SUGGEST_MAX_NAME][SUGGEST_MAX_NAME];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1; /* "basci" -> "basic": one swap */
            d[i][j] = best;
        }
    return d[n][m];
}

const char *suggest_pick(const char *name, const char *const *candidates, size_t n)
{
    size_t limit = strlen(name) <= 4 ? 1 : 2;
    size_t best = SIZE_MAX;
    const char *pick = NULL;
    bool tie = false;
    for (size_t i = 0; i < n; i++) {
        size_t d = suggest_distance(name, candidates[i]);
        if (d < best) {
            best = d;
            pick = candidates[i];
            tie = false;
        } else if (d == best && strcmp(pick, candidates[i])) {
            tie = true;
        }
    }
    return pick && best <= limit && best > 0 && !tie ? pick : NULL;
}
