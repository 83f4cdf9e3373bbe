/* scenario_fork.h - a what-if fork (world_new_fork) written down as a new scenario file.
 *
 * A fork replaces one server reply and lets the engines do the rest. To keep it, we write the
 * original scenario's own JSON again with a new id, a title that says what changed, and one
 * "reply" fault (lessons/scenarios/FORMAT.md) that makes the plain world of the new file take
 * the same turn at the same step. Used by `smtpsim run --save-fork` and Ctrl+S in the window.
 */
#ifndef SCENARIO_FORK_H
#define SCENARIO_FORK_H

#include <stddef.h>

#include "core/world/scenario.h"
#include "core/world/scenario_syntax.h"
#include "core/world/world.h"

#define SCENARIO_FORK_MAX_ID SCENARIO_ID_MAX /* the longest id scenario_fork_id makes */

/* scenario_fork_json - the new scenario's JSON (malloc'd, ends with a newline): sc's source with
 * "id" set to new_id, a "What if ..." title, and a "reply" fault for reply step `at` of `orig`
 * (the world_new run of sc) answering `reply` ("550 5.1.1 No such user"). A reply fault already
 * on that same reply is replaced, not doubled. NULL and err when `at` is not a server reply,
 * the reply is not valid (scenario_parse_reply) or new_id is not a valid id. */
char *scenario_fork_json(const scenario *sc, const world *orig, size_t at, const char *reply,
                         const char *new_id, char *err, size_t errlen);

/* scenario_fork_id - the id for a fork saved as `file`: the file's base name up to the first
 * '.', when that is a valid id (a-z, 0-9, '-', at most SCENARIO_FORK_MAX_ID); else
 * "ORIG-fork". file may be NULL. */
void scenario_fork_id(const char *file, const char *orig_id, char *out, size_t cap);

#endif
