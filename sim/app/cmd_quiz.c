/* cmd_quiz.c - `smtpsim quiz`: lessons and exams in the terminal, no display needed.
 *
 * Reads answers from stdin one line at a time (so it works over SSH and can be tested by
 * piping), prints numbered choices, immediate feedback with the explanation and references, and
 * a score. Progress is saved after every answer, atomically (progress.h), so `q`, Ctrl-D or a
 * lost connection keep everything answered so far. Colour only on a terminal, never with
 * NO_COLOR (https://no-color.org).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "core/teach/catalog.h"
#include "core/teach/lesson.h"
#include "core/teach/progress.h"
#include "core/teach/quiz.h"

#define QUIZ_MAX_LESSONS 256
#define QUIZ_WRAP 76      /* columns for prompts and explanations */
#define QUIZ_MAX_TRIES 20 /* bad inputs in a row before we give up on a question */

static bool colour;

static const char *c_on(const char *code)
{
    return colour ? code : "";
}
#define C_OK c_on("\033[1;32m")
#define C_BAD c_on("\033[1;31m")
#define C_DIM c_on("\033[2m")
#define C_B c_on("\033[1m")
#define C_OFF c_on("\033[0m")

static void usage(FILE *out)
{
    fprintf(out, "usage: smtpsim quiz [LESSON...] [--exam N] [--review] [--minutes M]\n"
                 "                    [--progress FILE] [--seed S] [--now UNIXTIME]\n"
                 "\n"
                 "  LESSON          a lesson id (lessons/ID.json) or a file; none: every lesson\n"
                 "  (default)       practice: the questions due by the schedule, then new ones\n"
                 "  --review        only the questions you missed last time\n"
                 "  --exam N        N questions drawn across the lessons, feedback at the end\n"
                 "  --minutes M     time limit for the exam\n"
                 "  --progress FILE progress file (default $XDG_DATA_HOME/smtpsim/progress.json)\n"
                 "  --seed S        seed for the exam draw and shuffles (default: from the clock)\n"
                 "  --now T         pretend the time is T (Unix seconds), for scheduling tests\n"
                 "\n"
                 "Answers are read from standard input; type q to stop (progress is kept).\n");
}

/* print_hanging - `first` then text wrapped at QUIZ_WRAP columns; continuation lines are
 * indented by the width of `first` ("  1. " then five spaces). */
static void print_hanging(const char *first, const char *text)
{
    size_t ind = strlen(first), col = 0;
    const char *p = text;
    fputs(first, stdout);
    col = ind;
    while (*p) {
        if (*p == '\n') {
            printf("\n%*s", (int)ind, "");
            col = ind;
            p++;
            continue;
        }
        const char *w = p;
        while (*w && *w != ' ' && *w != '\n')
            w++;
        size_t wl = (size_t)(w - p);
        if (col > ind && col + 1 + wl > QUIZ_WRAP) {
            printf("\n%*s", (int)ind, "");
            col = ind;
        } else if (col > ind) {
            fputc(' ', stdout);
            col++;
        }
        fwrite(p, 1, wl, stdout);
        col += wl;
        p = w;
        while (*p == ' ')
            p++;
    }
    fputc('\n', stdout);
}

/* print_wrapped - every line after the same indent. */
static void print_wrapped(const char *indent, const char *text)
{
    print_hanging(indent, text);
}

/* load_one - a lesson by id or path (catalog.h); predict questions checked against the world
 * when it can be built (cmd_lint.c). NULL after printing why. */
static lesson *load_one(const char *name)
{
    char path[PATH_MAX], err[8192];
    if (catalog_resolve(app_data_dir(), CATALOG_LESSON, name, NULL, path, sizeof path, err,
                        sizeof err) != 0) {
        fprintf(stderr, "smtpsim quiz: %s\n", err);
        return NULL;
    }
    lesson *l = lesson_load(path, err, sizeof err);
    if (!l) {
        fprintf(stderr, "%s", err);
        return NULL;
    }
    if (cmd_lint_resolve_predicts(l, path, err, sizeof err) != 0)
        fprintf(stderr, "smtpsim quiz: warning: %s", err);
    return l;
}

/* load_all - every lesson of the data directory, in the catalog's order. */
static size_t load_all(lesson **out, size_t cap)
{
    catalog_entry *e;
    long n = catalog_list(app_data_dir(), CATALOG_LESSON, &e);
    size_t k = 0;
    for (long i = 0; i < n && k < cap; i++) {
        lesson *l = load_one(e[i].path);
        if (l)
            out[k++] = l;
    }
    free(e);
    return k;
}

/* read_line - one answer line without its newline; false at end of input. */
static bool read_line(char *buf, size_t cap)
{
    fflush(stdout);
    if (!fgets(buf, (int)cap, stdin))
        return false;
    size_t n = strlen(buf);
    if (n && buf[n - 1] != '\n') { /* over-long line: drop the rest */
        int ch;
        while ((ch = getchar()) != EOF && ch != '\n')
            ;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!isatty(STDIN_FILENO))
        printf("%s\n", buf); /* piped answers appear in the transcript */
    return true;
}

static void show_question(const quiz *qz, const lesson_question *q, size_t shown, size_t total)
{
    static const char *const diff[] = {"", "easy", "medium", "hard"};
    char lead[16];
    if (quiz_is_repeat(qz))
        printf("\n%sOnce more, a question you missed%s %s(%s)%s\n", C_B, C_OFF, C_DIM, q->id,
               C_OFF);
    else
        printf("\n%sQuestion %zu of %zu%s %s(%s, %s)%s\n", C_B, shown, total, C_OFF, C_DIM, q->id,
               diff[q->difficulty], C_OFF);
    print_wrapped("", q->prompt);
    switch (q->kind) {
    case LESSON_Q_SINGLE:
    case LESSON_Q_MULTI:
    case LESSON_Q_PREDICT:
        for (size_t i = 0; i < q->n_choices; i++) {
            snprintf(lead, sizeof lead, "  %zu. ", i + 1);
            print_hanging(lead, q->choices[i]);
        }
        if (q->kind == LESSON_Q_MULTI)
            printf("%s(choose all that apply, e.g. 1,3)%s\n", C_DIM, C_OFF);
        if (q->kind == LESSON_Q_PREDICT && !q->n_choices)
            printf("%s(type the reply code the server sends, e.g. 250)%s\n", C_DIM, C_OFF);
        break;
    case LESSON_Q_TRUEFALSE:
        printf("  t. true\n  f. false\n");
        break;
    case LESSON_Q_SHORT:
        break;
    case LESSON_Q_ORDER:
        for (size_t i = 0; i < q->n_items; i++) {
            snprintf(lead, sizeof lead, "  %zu. ", i + 1);
            print_hanging(lead, q->items[quiz_display(qz, i)]);
        }
        printf("%s(type the numbers in the right order, e.g. 3 1 2)%s\n", C_DIM, C_OFF);
        break;
    case LESSON_Q_MATCH:
        for (size_t i = 0; i < q->n_pairs; i++) {
            snprintf(lead, sizeof lead, "  %zu. ", i + 1);
            print_hanging(lead, q->left[i]);
        }
        for (size_t i = 0; i < q->n_pairs; i++) {
            snprintf(lead, sizeof lead, "  %c) ", (int)('a' + i));
            print_hanging(lead, q->right[quiz_display(qz, i)]);
        }
        printf("%s(give each number its letter, e.g. 1b 2a 3c)%s\n", C_DIM, C_OFF);
        break;
    }
}

static void show_refs(const char *indent, const lesson_question *q)
{
    if (!q->n_refs)
        return;
    printf("%s%sSee:", indent, C_DIM);
    for (size_t i = 0; i < q->n_refs; i++)
        printf("%s %s", i ? "," : "", q->refs[i]);
    printf("%s\n", C_OFF);
}

static void show_feedback(const lesson_question *q, const quiz_feedback *fb)
{
    if (fb->correct) {
        printf("%sCorrect.%s\n", C_OK, C_OFF);
    } else {
        printf("%sIncorrect.%s The answer is: %s\n", C_BAD, C_OFF, fb->right);
        if (fb->detail[0])
            printf("  (%s)\n", fb->detail);
        if (fb->why_not) {
            char line[LESSON_MAX_TEXT + 16];
            snprintf(line, sizeof line, "Not that one: %s", fb->why_not);
            print_wrapped("  ", line);
        }
    }
    print_wrapped("  ", fb->explanation);
    show_refs("  ", q);
}

static void save(const progress *p, const char *path, bool *warned)
{
    char err[PATH_MAX + 256];
    if (progress_save(p, path, err, sizeof err) != 0 && !*warned) {
        fprintf(stderr, "smtpsim quiz: %s\n", err);
        *warned = true; /* say it once, keep quizzing */
    }
}

static void fmt_time(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        strftime(buf, cap, "%Y-%m-%d %H:%M UTC", &tm);
    else
        snprintf(buf, cap, "?");
}

/* show_progress_summary - what the learner has done so far, so progress is visible between runs. */
static void show_progress_summary(const lesson *const *ls, size_t n, const progress *p, int64_t now)
{
    size_t total = 0, seen = 0, learnt = 0, due = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < ls[i]->n_questions; k++) {
            const progress_entry *e = progress_get(p, ls[i]->questions[k].id);
            total++;
            if (!e)
                continue;
            seen++;
            learnt += e->box >= 3; /* right at least twice in a row */
            due += e->due <= now;
        }
    if (seen)
        printf("%sSo far: %zu of %zu questions answered, %zu well learnt, %zu due now.%s\n", C_DIM,
               seen, total, learnt, due, C_OFF);
}

static void exam_results(const quiz *qz)
{
    size_t n = quiz_result_count(qz);
    printf("\n%sResults%s\n", C_B, C_OFF);
    for (size_t i = 0; i < n; i++) {
        const quiz_result *r = quiz_result_at(qz, i);
        quiz_feedback fb;
        quiz_result_feedback(qz, i, &fb);
        printf("\n%zu. %s%s%s %s\n", i + 1,
               !r->answered ? C_DIM
               : r->correct ? C_OK
                            : C_BAD,
               !r->answered ? "not answered"
               : r->correct ? "correct"
                            : "incorrect",
               C_OFF, r->q->id);
        print_wrapped("   ", r->q->prompt);
        if (!r->correct) {
            printf("   The answer is: %s\n", fb.right);
            if (fb.why_not && r->answered) {
                char line[LESSON_MAX_TEXT + 16];
                snprintf(line, sizeof line, "Not that one: %s", fb.why_not);
                print_wrapped("   ", line);
            }
            print_wrapped("   ", fb.explanation);
            show_refs("   ", r->q);
        }
    }
    quiz_topic_score ts[QUIZ_MAX_TOPICS];
    size_t nt = quiz_report(qz, ts, QUIZ_MAX_TOPICS);
    printf("\n%sBy topic%s\n", C_B, C_OFF);
    for (size_t i = 0; i < nt; i++)
        printf("  %-24s %zu/%zu\n", ts[i].topic, ts[i].right, ts[i].total);
}

int cmd_quiz(int argc, char **argv)
{
    const char *names[QUIZ_MAX_LESSONS];
    size_t n_names = 0;
    long exam = -1, minutes = 0;
    bool review = false;
    const char *progress_path = NULL;
    uint64_t seed = 0;
    bool have_seed = false;
    int64_t real_start = (int64_t)time(NULL);
    int64_t now = real_start;

    enum { O_REVIEW = 1, O_EXAM, O_MINUTES, O_SEED, O_NOW, O_PROGRESS };
    static const app_opt opts[] = {
        {"review", 0, false, O_REVIEW}, {"exam", 0, true, O_EXAM},
        {"minutes", 0, true, O_MINUTES}, {"seed", 0, true, O_SEED},
        {"now", 0, true, O_NOW},         {"progress", 0, true, O_PROGRESS},
        {NULL, 0, false, 0},
    };
    app_opts p;
    app_opts_init(&p, "smtpsim quiz", opts, argc, argv);
    for (int c; (c = app_opts_next(&p)) != APP_OPTS_END;) {
        const char *val = p.arg;
        if (c == APP_OPTS_HELP) {
            usage(stdout);
            return 0;
        } else if (c == O_REVIEW) {
            review = true;
        } else if (c == O_PROGRESS) {
            progress_path = val;
        } else if (c == APP_OPTS_OPERAND) {
            if (n_names < QUIZ_MAX_LESSONS)
                names[n_names++] = val;
        } else if (c > 0) {
            /* the numeric options */
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(val, &end, 10);
            if (errno || !end || *end || val[0] == '-' || !val[0])
                return app_opts_usage_error(&p, "%s: '%s' is not a number", p.name, val);
            if (c == O_EXAM) {
                if (v < 1 || v > 10000)
                    return app_opts_usage_error(&p, "--exam: 1-10000 questions");
                exam = (long)v;
            } else if (c == O_MINUTES) {
                if (v < 1 || v > 24 * 60)
                    return app_opts_usage_error(&p, "--minutes: 1-1440");
                minutes = (long)v;
            } else if (c == O_SEED) {
                seed = v;
                have_seed = true;
            } else {
                now = (int64_t)v;
            }
        } else {
            return 2;
        }
    }
    if (minutes && exam < 0) {
        fprintf(stderr, "smtpsim quiz: --minutes is for --exam\n");
        return 2;
    }
    if (review && exam >= 0) {
        fprintf(stderr, "smtpsim quiz: choose --review or --exam, not both\n");
        return 2;
    }
    const char *nc = getenv("NO_COLOR");
    colour = isatty(STDOUT_FILENO) && !(nc && nc[0]);
    if (!have_seed)
        seed = (uint64_t)now * 2654435761u ^ (uint64_t)getpid();

    char ppath[PATH_MAX];
    if (!progress_path) {
        char dir[PATH_MAX - 32];
        if (app_user_data_dir(dir, sizeof dir) != 0) {
            fprintf(stderr, "smtpsim quiz: no HOME or XDG_DATA_HOME: use --progress FILE\n");
            return 2;
        }
        snprintf(ppath, sizeof ppath, "%s/progress.json", dir);
        progress_path = ppath;
    }

    lesson *lessons[QUIZ_MAX_LESSONS];
    size_t nl = 0;
    int rc = 2;
    progress *prog = NULL;
    quiz *qz = NULL;
    if (n_names == 0) {
        nl = load_all(lessons, QUIZ_MAX_LESSONS);
        if (nl == 0) {
            fprintf(stderr, "smtpsim quiz: no lessons found in %s/lessons\n", app_data_dir());
            return 2;
        }
    } else {
        for (size_t i = 0; i < n_names; i++) {
            lessons[nl] = load_one(names[i]);
            if (!lessons[nl])
                goto out;
            nl++;
        }
    }

    char err[PATH_MAX + 1024];
    progress_status ps = progress_load(progress_path, &prog, err, sizeof err);
    if (ps == PROGRESS_ERROR) {
        fprintf(stderr, "smtpsim quiz: %s\n", err);
        goto out;
    }
    if (ps == PROGRESS_DAMAGED)
        fprintf(stderr, "smtpsim quiz: warning: %s\n", err);

    quiz_options o;
    quiz_options_init(&o, review ? QUIZ_REVIEW : exam >= 0 ? QUIZ_EXAM : QUIZ_PRACTICE, now, seed);
    if (exam >= 0)
        o.count = (size_t)exam;
    o.time_limit = (int64_t)minutes * 60;
    qz = quiz_new((const lesson *const *)lessons, nl, prog, &o, err, sizeof err);
    if (!qz) {
        printf("%s.\n", err);
        rc = 0;
        goto out;
    }

    if (nl == 1) {
        printf("%s%s%s\n", C_B, lessons[0]->title, C_OFF);
        print_wrapped("", lessons[0]->intro);
    }
    if (o.mode == QUIZ_EXAM) {
        printf("\n%sExam:%s %zu questions", C_B, C_OFF, quiz_total(qz));
        if (minutes)
            printf(", %ld minute%s", minutes, minutes == 1 ? "" : "s");
        printf(". No feedback until the end, no going back.\n");
    } else if (o.mode == QUIZ_REVIEW) {
        printf("\n%sReview:%s %zu question%s you missed last time.\n", C_B, C_OFF, quiz_total(qz),
               quiz_total(qz) == 1 ? "" : "s");
    } else if (quiz_practising_all(qz)) {
        char when[64];
        fmt_time(quiz_next_due(qz), when, sizeof when);
        printf("\nNothing is due until %s; practising everything anyway.\n", when);
    }
    show_progress_summary((const lesson *const *)lessons, nl, prog, now);
    printf("%sType q to stop; your progress is kept.%s\n", C_DIM, C_OFF);

    bool warned = false, quit = false, time_up = false;
    const lesson_question *q;
    size_t asked = 0;
    while (!quit && (q = quiz_current(qz))) {
        if (!quiz_is_repeat(qz))
            asked++;
        show_question(qz, q, asked, quiz_result_count(qz));
        quiz_answer ans;
        int tries = 0;
        for (;;) {
            if (o.mode == QUIZ_EXAM && minutes) {
                int64_t left = quiz_time_left(qz, now + ((int64_t)time(NULL) - real_start));
                printf("%s[%lld:%02lld left]%s ", C_DIM, (long long)(left > 0 ? left / 60 : 0),
                       (long long)(left > 0 ? left % 60 : 0), C_OFF);
            }
            printf("> ");
            char line[QUIZ_MAX_TEXT];
            if (!read_line(line, sizeof line)) {
                printf("\n");
                quit = true;
                break;
            }
            char norm[QUIZ_MAX_TEXT];
            lesson_normalise(line, norm, sizeof norm);
            if (!strcmp(norm, "q")) { /* only q: "quit" is a fair answer to a question */
                quit = true;
                break;
            }
            if (quiz_parse(qz, line, &ans, err, sizeof err) == 0)
                break;
            printf("%s%s%s\n", C_DIM, err, C_OFF);
            if (++tries >= QUIZ_MAX_TRIES) {
                quit = true;
                break;
            }
        }
        if (quit)
            break;
        /* With --now the clock is pretended: the real time elapsed is added to it. */
        int64_t t = now + ((int64_t)time(NULL) - real_start);
        if (t < now)
            t = now;
        quiz_feedback fb;
        quiz_status st = quiz_submit(qz, &ans, t, &fb);
        if (st == QUIZ_TIME_UP) {
            printf("%sTime is up.%s That answer came too late and is not counted.\n", C_BAD, C_OFF);
            time_up = true;
            break;
        }
        if (st != QUIZ_OK) {
            printf("That answer does not fit the question.\n");
            continue;
        }
        save(prog, progress_path, &warned);
        if (o.mode == QUIZ_EXAM)
            printf("%sRecorded.%s\n", C_DIM, C_OFF);
        else
            show_feedback(q, &fb);
        quiz_next(qz);
    }
    quiz_finish(qz, now);
    (void)time_up;

    size_t right, answered, total;
    quiz_score(qz, &right, &answered, &total);
    if (o.mode == QUIZ_EXAM)
        exam_results(qz);
    printf("\n%sScore: %zu/%zu%s", C_B, right, answered, C_OFF);
    if (answered)
        printf(" (%zu%%)", right * 100 / answered);
    if (answered < total)
        printf(", %zu of %zu answered", answered, total);
    printf("\n");
    if (answered) {
        save(prog, progress_path, &warned);
        if (!warned)
            printf("%sProgress saved in %s%s\n", C_DIM, progress_path, C_OFF);
    }
    rc = warned ? 1 : 0;
out:
    quiz_free(qz);
    progress_free(prog);
    for (size_t i = 0; i < nl; i++)
        lesson_free(lessons[i]);
    return rc;
}
