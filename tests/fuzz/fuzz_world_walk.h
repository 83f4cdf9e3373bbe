/* fuzz_world_walk.h - read back every part of a built world, for the scenario and what-if
 * targets: each step's fields (node ids in range, index in order, text and bytes readable), the
 * node states before and after the run, every delivered message, and the transcript (text with
 * explanations, and JSON). Aborts through fuzz_die on anything out of contract.
 */
#ifndef FUZZ_WORLD_WALK_H
#define FUZZ_WORLD_WALK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export/transcript.h"
#include "core/world/world.h"
#include "fuzz_common.h"

/* fuzz_world_walk - as above; `id` names the scenario in the JSON transcript. */
static inline void fuzz_world_walk(const world *w, const char *id)
{
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        fuzz_die("cannot open /dev/null");
    size_t nodes = world_node_count(w), steps = world_step_count(w);
    for (size_t i = 0; i < steps; i++) {
        const world_step *s = world_step_at(w, i);
        if (!s || s->index != i)
            fuzz_die("step index out of order");
        if (s->from < 0 || (size_t)s->from >= nodes || s->to < 0 || (size_t)s->to >= nodes)
            fuzz_die("step between unknown nodes");
        if (!s->text || (s->bytes == NULL && s->len != 0))
            fuzz_die("step text or bytes missing");
        if (s->t_arrive_ms < s->t_send_ms)
            fuzz_die("step arrives before it is sent");
        (void)strlen(s->text);
        if (s->bytes && s->len)
            (void)((volatile const char *)s->bytes)[s->len - 1];
    }
    world_node_state *st = calloc(nodes ? nodes : 1, sizeof *st);
    if (!st)
        fuzz_die("out of memory");
    world_state_at(w, SIZE_MAX, st);
    if (steps)
        world_state_at(w, steps - 1, st);
    for (size_t n = 0; n < nodes; n++) {
        if (!memchr(st[n].state, '\0', sizeof st[n].state))
            fuzz_die("node state not terminated");
        for (size_t m = 0; m < (size_t)(st[n].mailbox_count > 0 ? st[n].mailbox_count : 0); m++) {
            size_t len = 0;
            const char *msg = world_mailbox_message(w, (int)n, m, &len);
            if (msg && len)
                (void)((volatile const char *)msg)[len - 1];
        }
    }
    free(st);
    transcript_opts o = {.explain = true, .color = false};
    if (transcript_write(sink, w, &o) != 0)
        fuzz_die("transcript write failed");
    char *json = transcript_json(w, id, "fuzz");
    free(json);
}

#endif
