/* test_scenario_fork.c - a what-if fork written as a scenario file reproduces the fork: the new
 * file, loaded and run as a plain world, takes the same turn at the same step as
 * world_new_fork, with the engines producing the rest (a bounce for a refused recipient at the
 * MX). Run from the repository root (tests/run_tests.sh does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "core/world/scenario.h"
#include "core/world/scenario_fork.h"
#include "core/world/world.h"

#define BASIC "lessons/scenarios/basic.json"
#define NO_USER "550 5.1.1 No such user"

typedef struct {
    scenario *sc;
    world *w;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char err[512];
    f->sc = scenario_load(BASIC, err, sizeof err);
    if (!f->sc) {
        fprintf(stderr, "%s\n", err);
        free(f);
        return -1;
    }
    f->w = world_new(f->sc, err, sizeof err);
    if (!f->w) {
        scenario_free(f->sc);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    world_free(f->w);
    scenario_free(f->sc);
    free(f);
    return 0;
}

/* last_reply_to - the last reply step answering `verb` (in basic: the MX's). */
static size_t last_reply_to(const world *w, const char *verb)
{
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->kind == WORLD_STEP_REPLY && !strcmp(s->verb, verb))
            found = i;
    }
    assert_true(found != SIZE_MAX);
    return found;
}

static bool has_kind(const world *w, world_step_kind k, size_t from)
{
    for (size_t i = from; i < world_step_count(w); i++)
        if (world_step_at(w, i)->kind == k)
            return true;
    return false;
}

/* delivered_to - a DELIVER step at or after `from` for this address */
static bool delivered_to(const world *w, const char *addr, size_t from)
{
    for (size_t i = from; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->kind == WORLD_STEP_DELIVER && strstr(s->text, addr))
            return true;
    }
    return false;
}

static void test_saved_fork_replays_the_fork(void **state)
{
    fixture *f = *state;
    size_t at = last_reply_to(f->w, "RCPT");
    char err[512];
    char *json = scenario_fork_json(f->sc, f->w, at, NO_USER, "basic-no-user", err, sizeof err);
    assert_non_null(json);
    assert_int_equal(json[strlen(json) - 1], '\n');

    scenario *sc2 = scenario_load_buffer("fork.json", json, strlen(json), err, sizeof err);
    if (!sc2)
        fail_msg("the fork does not load: %s\n%s", err, json);
    assert_string_equal(scenario_id(sc2), "basic-no-user");
    assert_non_null(strstr(scenario_title(sc2), NO_USER));
    /* the description says what changed, not only the original story */
    assert_int_equal(strncmp(scenario_description(sc2), "What if: at step ", 17), 0);
    assert_non_null(strstr(scenario_description(sc2), NO_USER));
    assert_non_null(strstr(scenario_description(sc2), scenario_description(f->sc)));
    world *saved = world_new(sc2, err, sizeof err);
    assert_non_null(saved);
    world *forked = world_new_fork(f->sc, at, NO_USER, err, sizeof err);
    assert_non_null(forked);

    /* the plain run of the saved file is the fork, step for step */
    assert_int_equal(world_step_count(saved), world_step_count(forked));
    for (size_t i = 0; i < world_step_count(saved); i++) {
        const world_step *a = world_step_at(saved, i), *b = world_step_at(forked, i);
        assert_int_equal(a->kind, b->kind);
        assert_string_equal(a->text, b->text);
    }
    const world_step *s = world_step_at(saved, at);
    assert_int_equal(s->kind, WORLD_STEP_REPLY);
    assert_int_equal(s->code, 550);
    assert_string_equal(s->esc, "5.1.1");
    /* the engines made the rest: no delivery to Bob, a bounce that reaches Alice instead
     * (example.com's implicit MX, RFC 5321 5.1) */
    assert_false(delivered_to(saved, "bob@example.org", at));
    assert_true(has_kind(saved, WORLD_STEP_BOUNCE, at));
    assert_true(delivered_to(saved, "alice@example.com", at));
    assert_true(has_kind(f->w, WORLD_STEP_DELIVER, at));
    assert_false(has_kind(f->w, WORLD_STEP_BOUNCE, 0));

    world_free(forked);
    world_free(saved);
    scenario_free(sc2);
    free(json);
}

/* Forking the fork's file again at the same reply replaces its fault, never doubles it. */
static void test_same_reply_twice_is_one_fault(void **state)
{
    fixture *f = *state;
    size_t at = last_reply_to(f->w, "RCPT");
    char err[512];
    char *j1 = scenario_fork_json(f->sc, f->w, at, NO_USER, "fork-one", err, sizeof err);
    assert_non_null(j1);
    scenario *sc1 = scenario_load_buffer("one", j1, strlen(j1), err, sizeof err);
    assert_non_null(sc1);
    char *j2 = scenario_fork_json(sc1, f->w, at, "450 4.2.0 Try later", "fork-two", err,
                                  sizeof err);
    assert_non_null(j2);
    cJSON *root = cJSON_Parse(j2);
    assert_non_null(root);
    cJSON *faults = cJSON_GetObjectItemCaseSensitive(root, "faults");
    int replies = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, faults)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, "kind");
        if (cJSON_IsString(k) && !strcmp(k->valuestring, "reply")) {
            replies++;
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(it, "reply")->valuestring,
                                "450 4.2.0 Try later");
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(it, "verb")->valuestring,
                                "RCPT");
        }
    }
    assert_int_equal(replies, 1);
    cJSON_Delete(root);
    scenario_free(sc1);
    free(j1);
    free(j2);
}

static void test_refusals(void **state)
{
    fixture *f = *state;
    char err[512] = "";
    size_t at = last_reply_to(f->w, "RCPT");
    /* step 0 is a connect, not a reply */
    assert_null(scenario_fork_json(f->sc, f->w, 0, NO_USER, "x", err, sizeof err));
    assert_non_null(strstr(err, "not a server reply"));
    assert_null(scenario_fork_json(f->sc, f->w, world_step_count(f->w), NO_USER, "x", err,
                                   sizeof err));
    assert_null(scenario_fork_json(f->sc, f->w, at, "hello", "x", err, sizeof err));
    assert_non_null(strstr(err, "not a reply"));
    assert_null(scenario_fork_json(f->sc, f->w, at, "650 nope", "x", err, sizeof err));
    assert_null(scenario_fork_json(f->sc, f->w, at, NO_USER, "Bad Id", err, sizeof err));
    assert_non_null(strstr(err, "not a scenario id"));
    assert_null(scenario_fork_json(NULL, f->w, at, NO_USER, "x", err, sizeof err));
}

/* A long reply still gives a title the loader takes: at most 120 bytes,
 * cut on character boundaries (tests/fuzz/fuzz_whatif found 174-byte titles). */
static void test_long_reply_title_loads(void **state)
{
    fixture *f = *state;
    char err[512] = "";
    size_t at = last_reply_to(f->w, "RCPT");
    const char *reply =
        "452 4.5.3 Too many recipients for this message, try fewer of them next time";
    char *j = scenario_fork_json(f->sc, f->w, at, reply, "long", err, sizeof err);
    assert_non_null(j);
    scenario *sc = scenario_load_buffer("long.json", j, strlen(j), err, sizeof err);
    if (!sc)
        fail_msg("%s", err);
    assert_true(strlen(scenario_title(sc)) <= 120);
    assert_non_null(strstr(scenario_title(sc), "452 4.5.3 Too many"));
    scenario_free(sc);
    free(j);
}

static void test_fork_id(void **state)
{
    (void)state;
    char id[64];
    scenario_fork_id("dir/my-fork.json", "basic", id, sizeof id);
    assert_string_equal(id, "my-fork");
    scenario_fork_id("Weird Name.json", "basic", id, sizeof id);
    assert_string_equal(id, "basic-fork");
    scenario_fork_id(NULL, "basic", id, sizeof id);
    assert_string_equal(id, "basic-fork");
    char longid[80];
    memset(longid, 'a', 60);
    longid[60] = 0;
    scenario_fork_id(NULL, longid, id, sizeof id);
    assert_int_equal(strlen(id), SCENARIO_FORK_MAX_ID);
    assert_non_null(strstr(id, "-fork"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_saved_fork_replays_the_fork, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_reply_twice_is_one_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_reply_title_loads, setup, teardown),
        cmocka_unit_test(test_fork_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
