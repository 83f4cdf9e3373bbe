/* fuzz_scenario.c - libFuzzer target for the scenario loader followed by a full world run.
 *
 * The input is a scenario file. A refused one must come with a message; an accepted one is
 * built and run by world_new (bounded in steps and virtual time), and everything the viewers
 * read from the world is read back (fuzz_world_walk.h). Seeds: the scenario files.
 */
#include <stdint.h>
#include <string.h>

#include "core/world/scenario.h"
#include "core/world/world.h"
#include "fuzz_world_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    err[0] = '\0';
    scenario *sc = scenario_load_buffer("fuzz.json", (const char *)data, size, err, sizeof err);
    if (!sc) {
        if (!err[0] || !memchr(err, '\0', sizeof err))
            fuzz_die("scenario refused without a message");
        return 0;
    }
    err[0] = '\0';
    world *w = world_new(sc, err, sizeof err);
    if (w) {
        fuzz_world_walk(w, scenario_id(sc));
        world_free(w);
    } else if (!err[0]) {
        fuzz_die("world refused without a message");
    }
    scenario_free(sc);
    return 0;
}
