/* bench_world.c - how many complete deliveries per second the simulated world runs.
 *
 * Builds the world for the default scenario (lessons/scenarios/basic.json: MUA -> MSA -> MTA ->
 * DNS -> MX -> mailbox, with STARTTLS and AUTH) again and again on one core, for a bounded
 * wall-clock time, and counts the messages that reached a mailbox. Each world is the whole run:
 * engines, DNS, queue, transcript steps. Ends with "world: N deliveries/s".
 * Run from the repository root (make bench does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/world/scenario.h"
#include "core/world/world.h"

#define BENCH_SCENARIO "lessons/scenarios/basic.json"
#define BENCH_SECONDS 2.0   /* measuring time, bounded */
#define BENCH_WARMUP 200    /* worlds built before measuring */

/* now_s - wall clock (bounds the run); cpu_s - this process's CPU time (the rate: on a shared
 * machine other processes take the core away, and that is not the world's cost). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t deliveries(const world *w)
{
    size_t n = 0;
    for (size_t i = 0; i < world_step_count(w); i++)
        if (world_step_at(w, i)->kind == WORLD_STEP_DELIVER)
            n++;
    return n;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : BENCH_SCENARIO;
    char err[1024];
    scenario *sc = scenario_load(path, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "bench_world: %s\n", err);
        return 1;
    }
    world *w = world_new(sc, err, sizeof err);
    if (!w) {
        fprintf(stderr, "bench_world: %s\n", err);
        scenario_free(sc);
        return 1;
    }
    size_t steps = world_step_count(w), per = deliveries(w);
    uint64_t vt = steps ? world_step_at(w, steps - 1)->t_arrive_ms : 0;
    world_free(w);
    if (per == 0) {
        fprintf(stderr, "bench_world: the scenario delivers nothing\n");
        scenario_free(sc);
        return 1;
    }
    for (int i = 0; i < BENCH_WARMUP; i++)
        world_free(world_new(sc, err, sizeof err));
    size_t runs = 0, delivered = 0;
    double t0 = now_s(), t = t0, c0 = cpu_s();
    while (t - t0 < BENCH_SECONDS) {
        for (int k = 0; k < 100; k++) {
            w = world_new(sc, err, sizeof err);
            if (!w) {
                fprintf(stderr, "bench_world: %s\n", err);
                scenario_free(sc);
                return 1;
            }
            delivered += deliveries(w);
            world_free(w);
            runs++;
        }
        t = now_s();
    }
    double el = t - t0, cpu = cpu_s() - c0;
    printf("scenario: %s (%s)\n", scenario_id(sc), path);
    printf("per world: %zu steps, %zu delivery, %.3f s of virtual time\n", steps, per,
           (double)vt / 1000.0);
    printf("worlds built: %zu in %.2f s wall, %.2f s CPU (%.1f us CPU each, %.0f steps/s)\n",
           runs, el, cpu, cpu * 1e6 / (double)runs, (double)(runs * steps) / cpu);
    printf("wall-clock rate (includes time other processes took): %.0f deliveries/s\n",
           (double)delivered / el);
    printf("world: %.0f deliveries/s\n", (double)delivered / cpu);
    scenario_free(sc);
    return 0;
}
