/* suggest.h - "did you mean": the shipped name closest to a mistyped one (`smtpsim run basci`
 * suggests `basic`), for scenarios and lessons alike.
 *
 * Closeness is the optimal string alignment distance (Levenshtein plus swapping two neighbours,
 * the commonest typo). A name is suggested only when it is close for its length (at most one
 * edit for names up to 4 characters, two beyond) and no other name is as close, so a
 * suggestion is never a guess between two. The catalog (catalog.h) adds the suggestion to its
 * not-found errors, so every command that resolves names offers it.
 */
#ifndef SUGGEST_H
#define SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX_NAMES 512 /* candidates a caller offers at the most */

/* suggest_distance - edits (insert, delete, substitute, swap two neighbours) from a to b; names
 * longer than 63 bytes count as far from everything (SIZE_MAX). */
size_t suggest_distance(const char *a, const char *b);

/* suggest_pick - the one candidate close enough to name, or NULL. */
const char *suggest_pick(const char *name, const char *const *candidates, size_t n);

#endif
