/* cmd_lint.c - `smtpsim lint [FILE...]`: check lessons and scenarios for instructors.
 *
 * A file with "questions" is a lesson (lesson.h), anything else a scenario (scenario.h). Each
 * file is checked on its own (syntax as `file:line:col: what`, schema as `file: path: what`),
 * then across files: duplicate lesson and question ids, references to scenarios that do not
 * exist, narration steps past the end of the run, and predict questions whose `at` finds no
 * reply or whose answer disagrees with the world (the world is built once per scenario).
 * Exit status 1 on any error. With no FILE, every shipped lessons/ *.json and
 * lessons/scenarios/ *.json is checked.
 *
 * It also reports answer bias, which a test-wise student exploits without knowing anything: a
 * lesson whose right answers are the longest choice too often (a warning, not an error), and for
 * all the lessons linted together ("the bank") where the right answers sit and how many
 * true/false answers are true. The thresholds are lessons/FORMAT.md's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "core/teach/catalog.h"
#include "core/teach/lesson.h"
#include "core/teach/lesson_run.h"
#include "core/util/json_load.h"
#include "core/util/membuf.h"
#include "core/world/scenario.h"
#include "core/world/world.h"

#define LINT_MAX_WORLDS 64
#define LINT_ERR_BYTES 16384

/* --- worlds, one per scenario, kept for the whole run -------------------------------------- */

typedef struct {
    char id[65];
    char path[PATH_MAX];
    bool found;    /* a file exists */
    bool built;    /* the world was built */
    char err[512]; /* why it could not be loaded or built */
    lesson_step_view *steps;
    size_t n_steps;
    scenario *sc;
    world *w;
} lint_world;

static lint_world worlds[LINT_MAX_WORLDS];
static size_t n_worlds;

static void worlds_free(void)
{
    for (size_t i = 0; i < n_worlds; i++) {
        free(worlds[i].steps);
        world_free(worlds[i].w);
        scenario_free(worlds[i].sc);
    }
    n_worlds = 0;
}

static lint_world *get_world(const char *id, const char *lesson_path)
{
    for (size_t i = 0; i < n_worlds; i++)
        if (!strcmp(worlds[i].id, id))
            return &worlds[i];
    if (n_worlds == LINT_MAX_WORLDS)
        return NULL;
    lint_world *lw = &worlds[n_worlds++];
    memset(lw, 0, sizeof *lw);
    snprintf(lw->id, sizeof lw->id, "%s", id);
    lw->found = catalog_resolve(app_data_dir(), CATALOG_SCENARIO, id, lesson_path, lw->path,
                                sizeof lw->path, lw->err, sizeof lw->err) == 0;
    if (!lw->found)
        return lw;
    char err[400];
    lw->sc = scenario_load(lw->path, err, sizeof err);
    if (!lw->sc) {
        snprintf(lw->err, sizeof lw->err, "scenario '%s' does not load: %s", id, err);
        return lw;
    }
    lw->w = world_new(lw->sc, err, sizeof err);
    if (!lw->w) {
        snprintf(lw->err, sizeof lw->err, "scenario '%s' does not run: %s", id, err);
        return lw;
    }
    lw->n_steps = world_step_count(lw->w);
    lw->steps = calloc(lw->n_steps ? lw->n_steps : 1, sizeof *lw->steps);
    if (!lw->steps) {
        snprintf(lw->err, sizeof lw->err, "out of memory");
        return lw;
    }
    for (size_t i = 0; i < lw->n_steps; i++) {
        const world_step *st = world_step_at(lw->w, i);
        lw->steps[i].is_reply = st->kind == WORLD_STEP_REPLY;
        lw->steps[i].verb = st->verb;
        lw->steps[i].code = st->code;
        lw->steps[i].text = st->text;
    }
    lw->built = true;
    return lw;
}

static void add_line(char *err, size_t cap, const char *origin, const char *msg)
{
    size_t len = strlen(err);
    if (len + 1 < cap)
        snprintf(err + len, cap - len, "%s: %s\n", origin, msg);
}

int cmd_lint_resolve_predicts(struct lesson *l, const char *lesson_path, char *err, size_t errlen)
{
    int rc = 0;
    if (errlen)
        err[0] = '\0';
    for (size_t i = 0; i < l->n_questions; i++) {
        lesson_question *q = &l->questions[i];
        if (q->kind != LESSON_Q_PREDICT || !q->has_at)
            continue;
        lint_world *lw = get_world(q->at.scenario, lesson_path);
        char msg[700], path[64];
        snprintf(path, sizeof path, "questions[%zu].at.scenario", i);
        if (!lw) {
            continue;
        } else if (!lw->found) {
            if (l->scenario && !strcmp(l->scenario, q->at.scenario))
                continue; /* reported once, for the lesson's "scenario" */
            snprintf(msg, sizeof msg, "%s: %s", path, lw->err);
        } else if (!lw->built) {
            snprintf(msg, sizeof msg, "%s: %s", path, lw->err);
        } else {
            char why[512];
            if (lesson_predict_resolve(q, lw->steps, lw->n_steps, why, sizeof why) == 0)
                continue;
            snprintf(msg, sizeof msg, "%s", why);
        }
        add_line(err, errlen, l->origin, msg);
        rc = -1;
    }
    return rc;
}

/* --- the command ------------------------------------------------------------------------- */

typedef struct {
    char *id;
    const char *file;
    size_t index; /* question index, or SIZE_MAX for a lesson id */
} seen_id;

static seen_id *seen;
static size_t n_seen, cap_seen;

static const seen_id *seen_find(const char *id, bool lesson_id)
{
    for (size_t i = 0; i < n_seen; i++)
        if ((seen[i].index == SIZE_MAX) == lesson_id && !strcmp(seen[i].id, id))
            return &seen[i];
    return NULL;
}

static void seen_add(const char *id, const char *file, size_t index)
{
    seen_id *v = membuf_grow_array(seen, &cap_seen, n_seen + 1, sizeof *v);
    if (!v)
        return;
    seen = v;
    seen[n_seen].id = strdup(id);
    seen[n_seen].file = file;
    seen[n_seen].index = index;
    if (seen[n_seen].id)
        n_seen++;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* --- answer bias: what a student could score by guessing the habit, not the answer --------- */

#define LINT_LONGEST_MAX_PCT 40  /* right answer strictly the longest choice, per lesson and bank */
#define LINT_POSITION_MAX_PCT 35 /* right answers at any one choice position, bank-wide */
#define LINT_TRUE_MIN_PCT 40     /* share of true/false questions whose answer is true */
#define LINT_TRUE_MAX_PCT 60
#define LINT_LONGEST_MIN_QUESTIONS 5 /* fewer choice questions say nothing about a habit */

typedef struct {
    size_t lessons;
    size_t choice;                      /* single, and predict with choices: one right choice */
    size_t longest;                     /* ... whose right choice is strictly the longest */
    size_t at[LESSON_MAX_CHOICES];      /* right answers per position */
    size_t tf_true, tf_false;
} lint_balance;

static lint_balance bank;

/* utf8_chars - length in characters, as a reader sees it (continuation bytes not counted). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* right_is_longest - the right choice is longer than every other one (a tie gives no hint). */
static bool right_is_longest(const lesson_question *q)
{
    size_t right = utf8_chars(q->choices[q->answer - 1]);
    for (size_t i = 0; i < q->n_choices; i++)
        if ((int)i != q->answer - 1 && utf8_chars(q->choices[i]) >= right)
            return false;
    return true;
}

static unsigned pct(size_t part, size_t whole)
{
    return whole ? (unsigned)((part * 200 + whole) / (whole * 2)) : 0;
}

/* balance_lesson - count one lesson into the bank; warn when its right answers are the longest
 * choice too often. */
static void balance_lesson(const lesson *l, const char *path)
{
    lint_balance one = {0};
    for (size_t i = 0; i < l->n_questions; i++) {
        const lesson_question *q = &l->questions[i];
        if (q->kind == LESSON_Q_TRUEFALSE) {
            one.tf_true += q->answer_tf;
            one.tf_false += !q->answer_tf;
        } else if ((q->kind == LESSON_Q_SINGLE || q->kind == LESSON_Q_PREDICT) && q->n_choices &&
                   q->answer >= 1 && (size_t)q->answer <= q->n_choices) {
            one.choice++;
            one.at[q->answer - 1]++;
            one.longest += right_is_longest(q);
        }
    }
    bank.lessons++;
    bank.choice += one.choice;
    bank.longest += one.longest;
    bank.tf_true += one.tf_true;
    bank.tf_false += one.tf_false;
    for (size_t i = 0; i < LESSON_MAX_CHOICES; i++)
        bank.at[i] += one.at[i];
    if (one.choice < LINT_LONGEST_MIN_QUESTIONS ||
        one.longest * 100 <= one.choice * LINT_LONGEST_MAX_PCT)
        return;
    printf("%s: warning: the right answer is the longest choice in %zu of %zu choice questions "
           "(%u%%, at most %d%%): make the distractors as specific and as long as the answer\n",
           path, one.longest, one.choice, pct(one.longest, one.choice), LINT_LONGEST_MAX_PCT);
}

/* balance_report - the bank's position spread, longest-answer share and true/false balance. */
static void balance_report(void)
{
    if (!bank.lessons)
        return;
    size_t last = 0;
    for (size_t i = 0; i < LESSON_MAX_CHOICES; i++)
        if (bank.at[i])
            last = i + 1;
    printf("bank: %zu lesson%s, %zu choice questions; right answer at choice", bank.lessons,
           bank.lessons == 1 ? "" : "s", bank.choice);
    for (size_t i = 0; i < last; i++)
        printf("%s %zu: %zu (%u%%)", i ? "," : "", i + 1, bank.at[i], pct(bank.at[i], bank.choice));
    printf("\n");
    printf("bank: the right answer is the longest choice in %zu of %zu (%u%%)\n", bank.longest,
           bank.choice, pct(bank.longest, bank.choice));
    size_t tf = bank.tf_true + bank.tf_false;
    printf("bank: true/false: %zu true, %zu false (%u%% true)\n", bank.tf_true, bank.tf_false,
           pct(bank.tf_true, tf));
    for (size_t i = 0; i < last; i++)
        if (bank.at[i] * 100 > bank.choice * LINT_POSITION_MAX_PCT)
            printf("bank: warning: choice %zu holds %u%% of the right answers (at most %d%%)\n",
                   i + 1, pct(bank.at[i], bank.choice), LINT_POSITION_MAX_PCT);
    if (bank.choice >= LINT_LONGEST_MIN_QUESTIONS &&
        bank.longest * 100 > bank.choice * LINT_LONGEST_MAX_PCT)
        printf("bank: warning: the right answer is the longest choice too often (at most %d%%)\n",
               LINT_LONGEST_MAX_PCT);
    if (tf && (bank.tf_true * 100 < tf * LINT_TRUE_MIN_PCT ||
               bank.tf_true * 100 > tf * LINT_TRUE_MAX_PCT))
        printf("bank: warning: true/false answers should be %d-%d%% true\n", LINT_TRUE_MIN_PCT,
               LINT_TRUE_MAX_PCT);
}

static int lint_lesson(const char *path)
{
    static char err[LINT_ERR_BYTES];
    lesson *l = lesson_load(path, err, sizeof err);
    if (!l) {
        fputs(err, stdout);
        return count_lines(err);
    }
    int errors = 0;
    char msg[1024];
    const seen_id *dup = seen_find(l->id, true);
    if (dup) {
        printf("%s: id: lesson id \"%s\" is also used by %s\n", path, l->id, dup->file);
        errors++;
    } else {
        seen_add(l->id, path, SIZE_MAX);
    }
    for (size_t i = 0; i < l->n_questions; i++) {
        const lesson_question *q = &l->questions[i];
        dup = seen_find(q->id, false);
        if (dup) {
            printf("%s: questions[%zu].id: duplicate id \"%s\" (also %s questions[%zu])\n", path, i,
                   q->id, dup->file, dup->index);
            errors++;
        } else {
            seen_add(q->id, path, i);
        }
    }
    if (l->scenario) {
        lint_world *lw = get_world(l->scenario, path);
        if (lw && !lw->found) {
            printf("%s: scenario: %s\n", path, lw->err);
            errors++;
        } else if (lw && lw->built) {
            for (size_t i = 0; i < l->n_narration; i++)
                if ((size_t)l->narration[i].step >= lw->n_steps) {
                    snprintf(msg, sizeof msg,
                             "narration[%zu].step: step %ld does not exist (scenario '%s' has "
                             "%zu steps)",
                             i, l->narration[i].step, l->scenario, lw->n_steps);
                    printf("%s: %s\n", path, msg);
                    errors++;
                }
        } else if (lw) {
            printf("%s: scenario: %s\n", path, lw->err);
            errors++;
        }
    }
    if (cmd_lint_resolve_predicts(l, path, err, sizeof err) != 0) {
        fputs(err, stdout);
        errors += count_lines(err);
    }
    balance_lesson(l, path);
    lesson_free(l);
    return errors;
}

static int lint_scenario(const char *path)
{
    char err[1024];
    scenario *sc = scenario_load(path, err, sizeof err);
    if (!sc) {
        printf("%s\n", err);
        return 1;
    }
    scenario_free(sc);
    return 0;
}

/* lint_file - decide by content: an object with "questions" is a lesson (so is one with a
 * lesson's "intro" or "topics" and "questions" misspelt: it gets the lesson's messages). */
static int lint_file(const char *path)
{
    char err[1024];
    cJSON *root = json_load_file(path, LESSON_MAX_FILE_BYTES, err, sizeof err);
    if (!root) {
        printf("%s\n", err);
        return 1;
    }
    bool is_lesson = cJSON_IsObject(root) && (cJSON_GetObjectItemCaseSensitive(root, "questions") ||
                                              cJSON_GetObjectItemCaseSensitive(root, "intro") ||
                                              cJSON_GetObjectItemCaseSensitive(root, "topics"));
    cJSON_Delete(root);
    return is_lesson ? lint_lesson(path) : lint_scenario(path);
}

static void lint_usage(FILE *out)
{
    fprintf(out,
            "usage: smtpsim lint [FILE...]\n"
            "\n"
            "Checks lesson files (those with \"questions\") and scenario files. With no FILE,\n"
            "checks every lessons/*.json and lessons/scenarios/*.json of the data directory.\n"
            "Prints one line per problem (file:line:col: what, or file: path: what) and exits\n"
            "with status 1 when there is any.\n");
}

int cmd_lint(int argc, char **argv)
{
    int errors = 0, files = 0;
    static const app_opt opts[] = {{NULL, 0, false, 0}};
    const char **given = calloc((size_t)argc + 1, sizeof *given); /* the FILE operands */
    int n_given = 0;
    if (!given)
        return 2;
    app_opts p;
    app_opts_init(&p, "smtpsim lint", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        if (c != APP_OPTS_OPERAND) {
            if (c == APP_OPTS_HELP)
                lint_usage(stdout);
            free(given);
            return c == APP_OPTS_HELP ? 0 : 2;
        }
        given[n_given++] = p.arg;
    }
    if (n_given == 0) {
        /* every scenario, then every lesson: lessons refer to scenarios */
        const catalog_kind kinds[] = {CATALOG_SCENARIO, CATALOG_LESSON};
        for (size_t k = 0; k < 2; k++) {
            catalog_entry *e;
            long n = catalog_list(app_data_dir(), kinds[k], &e);
            for (long i = 0; i < n; i++, files++)
                errors += lint_file(e[i].path);
            free(e);
        }
        if (files == 0) {
            fprintf(stderr, "smtpsim lint: no lesson or scenario files in %s/lessons\n",
                    app_data_dir());
            free(given);
            return 0;
        }
    } else {
        for (int i = 0; i < n_given; i++, files++)
            errors += lint_file(given[i]);
    }
    balance_report();
    memset(&bank, 0, sizeof bank);
    fflush(stdout);
    fprintf(stderr, "smtpsim lint: %d file%s, %d error%s\n", files, files == 1 ? "" : "s", errors,
            errors == 1 ? "" : "s");
    free(given);
    worlds_free();
    for (size_t i = 0; i < n_seen; i++)
        free(seen[i].id);
    free(seen);
    seen = NULL;
    n_seen = cap_seen = 0;
    return errors ? 1 : 0;
}
