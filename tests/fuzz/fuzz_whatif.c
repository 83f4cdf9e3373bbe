/* fuzz_whatif.c - libFuzzer target for the reply parser of what-if and the fork it drives.
 *
 * A few real scenarios are loaded and run once. The first byte picks the scenario, the second
 * which of its server replies to change; the rest is the reply the student types. It is parsed
 * (scenario_parse_reply); the fork must succeed exactly when the reply parses, and a fork is
 * read back in full. A fork is also written down as a new scenario (scenario_fork_json), which
 * must load again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/world/scenario.h"
#include "core/world/scenario_fork.h"
#include "core/world/world.h"
#include "fuzz_world_walk.h"

static const char *const names[] = {"basic", "greylisting", "partial-failure", "multi-hop"};
#define N_SC (sizeof names / sizeof names[0])

static scenario *sc[N_SC];
static world *orig[N_SC];
static size_t *replies[N_SC]; /* step indexes a fork may change */
static size_t n_replies[N_SC];

/* LLVMFuzzerInitialize - load and run the scenarios; a missing file is a setup error. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char rel[128], path[1024], err[1024];
    for (size_t i = 0; i < N_SC; i++) {
        snprintf(rel, sizeof rel, "lessons/scenarios/%s.json", names[i]);
        fuzz_data_path(rel, path, sizeof path);
        if (!(sc[i] = scenario_load(path, err, sizeof err)) ||
            !(orig[i] = world_new(sc[i], err, sizeof err))) {
            fprintf(stderr, "fuzz_whatif: %s (run from the repository or set SMTPSIM_DATA)\n", err);
            exit(1);
        }
        size_t n = world_step_count(orig[i]);
        replies[i] = calloc(n ? n : 1, sizeof *replies[i]);
        for (size_t s = 0; s < n; s++) {
            char verb[16];
            int nth;
            if (world_reply_fault_for_step(orig[i], s, NULL, verb, &nth) == 0)
                replies[i][n_replies[i]++] = s;
        }
        if (!n_replies[i]) {
            fprintf(stderr, "fuzz_whatif: %s has no server reply\n", names[i]);
            exit(1);
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 1024)
        return 0;
    size_t k = data[0] % N_SC;
    size_t at = replies[k][data[1] % n_replies[k]];
    char *reply = fuzz_copy(data + 2, size - 2);
    int code = -1;
    char esc[16], text[200];
    int parsed = scenario_parse_reply(reply, &code, esc, text);
    if (parsed == 0 && (code < 200 || code > 599 || !memchr(esc, '\0', sizeof esc) ||
                        !memchr(text, '\0', sizeof text)))
        fuzz_die("parsed reply out of contract");
    char err[1024];
    world *f = world_new_fork(sc[k], at, reply, err, sizeof err);
    if ((f != NULL) != (parsed == 0))
        fuzz_die("fork and parser disagree on the reply");
    if (f) {
        fuzz_world_walk(f, "fork");
        world_free(f);
        char *json = scenario_fork_json(sc[k], orig[k], at, reply, "fuzz-fork", err, sizeof err);
        if (!json)
            fuzz_die("a fork that runs cannot be written down");
        scenario *again = scenario_load_buffer("fork.json", json, strlen(json), err, sizeof err);
        if (!again) {
            fprintf(stderr, "%s\n", err);
            fuzz_die("a written fork does not load");
        }
        scenario_free(again);
        free(json);
    }
    free(reply);
    return 0;
}
