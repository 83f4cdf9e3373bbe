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
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app/app_opts.h"
#include "app/app_paths.h"
#include "app/commands.h"
#include "core/teach/catalog.h"
#include "core/teach/lesson.h"
#include "core/teach/lesson_run.h"
#include "core/teach/progress.h"
#include "core/teach/quiz.h"

#define QUIZ_MAX_LESSONS 256
#define QUIZ_COLUMNS 80    /* the width when standard output is not a terminal */
#define QUIZ_MAX_TRIES 20  /* bad inputs in a row before we give up on a question */
#define QUIZ_WARN_LEFT 60  /* exam: seconds left when the student is warned */
#define QUIZ_INPUT 4096    /* bytes of typed input buffered */

static bool colour;
static size_t wrap_cols = QUIZ_COLUMNS - 1; /* the last column stays free: no terminal auto-wrap */

/* set_wrap - wrap at the terminal's width, or QUIZ_COLUMNS when not a terminal. */
static void set_wrap(void)
{
    struct winsize ws;
    size_t cols = QUIZ_COLUMNS;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        cols = ws.ws_col;
    wrap_cols = cols - 1;
}

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
    fprintf(out, "usage: smtpsim quiz [LESSON...] [--exam N] [--review] [--minutes M] [--pass P]\n"
                 "                    [--progress FILE] [--seed S] [--now UNIXTIME]\n"
                 "\n"
                 "  LESSON          a lesson id (lessons/ID.json) or a file; none: every lesson\n"
                 "  (default)       practice: the questions due by the schedule, then new ones\n"
                 "  --review        only the questions you missed last time\n"
                 "  --exam N        N questions drawn across the lessons, feedback at the end\n"
                 "  --minutes M     time limit for the exam (warned at 1 minute left)\n"
                 "  --seconds S     time limit in seconds instead (for tests and drills)\n"
                 "  --pass P        pass mark in percent (exam): exit 0 passed, 1 failed\n"
                 "  --progress FILE progress file (default $XDG_DATA_HOME/smtpsim/progress.json)\n"
                 "  --seed S        seed for the exam draw and the shuffled choices (default:\n"
                 "                  from the clock, so every try shows another order)\n"
                 "  --now T         pretend the time is T (Unix seconds), for scheduling tests\n"
                 "\n"
                 "Answers are read from standard input; type q to stop (progress is kept).\n"
                 "In an exam every question counts: unanswered ones score as wrong.\n");
}

/* wrap_from - text wrapped at word boundaries within wrap_cols, the cursor being at column col;
 * continuation lines are indented by ind spaces. Ends the line. */
static void wrap_from(size_t col, size_t ind, const char *text)
{
    const char *p = text;
    size_t start = col;
    while (*p) {
        if (*p == '\n') {
            printf("\n%*s", (int)ind, "");
            col = start = ind;
            p++;
            continue;
        }
        const char *w = p;
        while (*w && *w != ' ' && *w != '\n')
            w++;
        size_t wl = (size_t)(w - p);
        if (col > start && col + 1 + wl > wrap_cols) {
            printf("\n%*s", (int)ind, "");
            col = start = ind;
        } else if (col > start) {
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

/* print_hanging - `first` then text wrapped; continuation lines are indented by the width of
 * `first` ("  1. " then five spaces). */
static void print_hanging(const char *first, const char *text)
{
    fputs(first, stdout);
    wrap_from(strlen(first), strlen(first), text);
}

/* print_wrapped - every line after the same indent. */
static void print_wrapped(const char *indent, const char *text)
{
    print_hanging(indent, text);
}

/* load_one - a lesson by id or path (catalog.h); predict questions checked against the world
 * when it can be built (cmd_lint.c). NULL after printing why, after cmd ("smtpsim quiz"). */
static lesson *load_one(const char *cmd, const char *name)
{
    char path[PATH_MAX], err[8192];
    if (catalog_resolve(app_data_dir(), CATALOG_LESSON, name, NULL, path, sizeof path, err,
                        sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", cmd, err);
        return NULL;
    }
    lesson *l = lesson_load(path, err, sizeof err);
    if (!l) {
        fprintf(stderr, "%s", err);
        return NULL;
    }
    if (cmd_lint_resolve_predicts(l, path, err, sizeof err) != 0)
        fprintf(stderr, "%s: warning: %s", cmd, err);
    return l;
}

/* load_all - every lesson of the data directory, in the catalog's order. */
static size_t load_all(const char *cmd, lesson **out, size_t cap)
{
    catalog_entry *e;
    long n = catalog_list(app_data_dir(), CATALOG_LESSON, &e);
    size_t k = 0;
    for (long i = 0; i < n && k < cap; i++) {
        lesson *l = load_one(cmd, e[i].path);
        if (l)
            out[k++] = l;
    }
    free(e);
    return k;
}

/* The exam clock while waiting for a line: a deadline (0 none) in real seconds, and whether
 * the one-minute warning was given. */
typedef struct {
    time_t deadline;
    bool warned;
} exam_clock;

typedef enum { LINE_OK, LINE_EOF, LINE_TIME_UP } line_status;

static char inbuf[QUIZ_INPUT];
static size_t in_len;
static bool in_eof, in_skip; /* in_skip: the rest of an over-long line is dropped */

/* fmt_left - "1:00" for 60 seconds. */
static void fmt_left(time_t left, char *buf, size_t cap)
{
    if (left < 0)
        left = 0;
    snprintf(buf, cap, "%lld:%02lld", (long long)(left / 60), (long long)(left % 60));
}

/* warn_minute - the one-minute warning, once, on its own line. */
static void warn_minute(exam_clock *ck, time_t now)
{
    char left[32];
    if (!ck->deadline || ck->warned || ck->deadline - now > QUIZ_WARN_LEFT)
        return;
    ck->warned = true;
    fmt_left(ck->deadline - now, left, sizeof left);
    printf("\n%sWarning: %s left.%s\n> ", C_BAD, left, C_OFF);
    fflush(stdout);
}

/* cmd_quiz_progress_path - see commands.h. */
const char *cmd_quiz_progress_path(const char *given, char *buf, size_t cap)
{
    if (given)
        return given;
    char dir[PATH_MAX - 32];
    if (app_user_data_dir(dir, sizeof dir) != 0) {
        fprintf(stderr, "smtpsim: no HOME or XDG_DATA_HOME: use --progress FILE\n");
        return NULL;
    }
    snprintf(buf, cap, "%s/progress.json", dir);
    return buf;
}

/* cmd_quiz_load_lessons - see commands.h. */
int cmd_quiz_load_lessons(const char *cmd, const char *const *names, size_t n, lesson **out,
                          size_t cap, size_t *n_out)
{
    *n_out = 0;
    if (n == 0) {
        *n_out = load_all(cmd, out, cap);
        if (*n_out == 0) {
            fprintf(stderr, "%s: no lessons found in %s/lessons\n", cmd, app_data_dir());
            return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < n && *n_out < cap; i++) {
        out[*n_out] = load_one(cmd, names[i]);
        if (!out[*n_out]) {
            for (size_t k = 0; k < *n_out; k++)
                lesson_free(out[k]);
            *n_out = 0;
            return -1;
        }
        (*n_out)++;
    }
    return 0;
}

/* read_line - one answer line without its newline, watching the exam clock ck (NULL: none).
 * Reads standard input itself (not stdio), so it can wait with poll() and speak while the
 * student thinks: the warning at one minute left, and the end when the time runs out, without
 * waiting for an answer that would be too late. */
static line_status read_line(char *buf, size_t cap, exam_clock *ck)
{
    fflush(stdout);
    for (;;) {
        char *nl = memchr(inbuf, '\n', in_len);
        if (nl || in_len == sizeof inbuf || (in_eof && in_len)) {
            size_t len = nl ? (size_t)(nl - inbuf) : in_len;
            size_t used = nl ? len + 1 : in_len;
            bool skip = in_skip;
            in_skip = !nl; /* a line longer than the buffer: drop the rest of it */
            if (!skip) {
                size_t n = len < cap - 1 ? len : cap - 1;
                memcpy(buf, inbuf, n);
                buf[n] = '\0';
            }
            memmove(inbuf, inbuf + used, in_len - used);
            in_len -= used;
            if (skip)
                continue;
            buf[strcspn(buf, "\r\n")] = '\0';
            if (!isatty(STDIN_FILENO))
                printf("%s\n", buf); /* piped answers appear in the transcript */
            return LINE_OK;
        }
        if (in_eof)
            return LINE_EOF;
        int timeout = -1;
        if (ck && ck->deadline) {
            time_t now = time(NULL);
            if (now >= ck->deadline)
                return LINE_TIME_UP;
            warn_minute(ck, now);
            time_t next = ck->warned ? ck->deadline : ck->deadline - QUIZ_WARN_LEFT;
            timeout = (int)(next > now ? next - now : 1) * 1000;
        }
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        int r = poll(&pfd, 1, timeout);
        if (r < 0 && errno != EINTR)
            in_eof = true;
        if (r <= 0)
            continue;
        ssize_t n = read(STDIN_FILENO, inbuf + in_len, sizeof inbuf - in_len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            in_eof = true;
        else
            in_len += (size_t)n;
    }
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
        for (size_t i = 0; i < q->n_choices; i++) { /* shuffled: quiz_display says which */
            snprintf(lead, sizeof lead, "  %zu. ", i + 1);
            print_hanging(lead, q->choices[quiz_display(qz, i)]);
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

/* show_narration - after the answer, the lesson's narration of the step the question is about
 * (its own step, or the narration that talks about the same thing), as the window shows it
 * there; never before the answer, since it tells what happens. */
static void show_narration(const lesson_question *q)
{
    const lesson *l = q->lesson;
    long step = q->has_at ? q->at.step : lesson_narration_step(q, (size_t)LONG_MAX);
    if (!l || step < 0)
        return;
    for (size_t i = 0; i < l->n_narration; i++)
        if (l->narration[i].step == step && l->narration[i].text) {
            char line[LESSON_MAX_TEXT + 64];
            snprintf(line, sizeof line, "In the animation (%s, step %ld): %s",
                     l->scenario ? l->scenario : "scenario", step, l->narration[i].text);
            print_wrapped("  ", line);
            return;
        }
}

static void show_feedback(const lesson_question *q, const quiz_feedback *fb)
{
    if (fb->correct) {
        printf("%sCorrect.%s\n", C_OK, C_OFF);
    } else {
        printf("%sIncorrect.%s The answer is: ", C_BAD, C_OFF);
        wrap_from(strlen("Incorrect. The answer is: "), 2, fb->right);
        if (fb->detail[0]) {
            char line[sizeof fb->detail + 4];
            snprintf(line, sizeof line, "(%s)", fb->detail);
            print_wrapped("  ", line);
        }
        if (fb->why_not) {
            char line[LESSON_MAX_TEXT + 16];
            snprintf(line, sizeof line, "Not that one: %s", fb->why_not);
            print_wrapped("  ", line);
        }
    }
    print_wrapped("  ", fb->explanation);
    show_narration(q);
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

/* exam_results - every question with the student's answer beside the right one, the
 * unanswered ones named, and the score by topic. */
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
               !r->answered ? "not answered (counts as wrong)"
               : r->correct ? "correct"
                            : "incorrect",
               C_OFF, r->q->id);
        print_wrapped("   ", r->q->prompt);
        if (r->answered && fb.given[0])
            print_hanging("   Your answer:   ", fb.given);
        if (!r->correct) {
            print_hanging("   The answer is: ", fb.right);
            if (fb.detail[0])
                print_hanging("   ", fb.detail);
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

/* exam_score - "Score: 1/5 (20%)" over every question, the unanswered listed, the pass mark. */
static void exam_score(const quiz *qz, long pass)
{
    size_t right, answered, total;
    quiz_score(qz, &right, &answered, &total);
    printf("\n%sScore: %zu/%zu (%u%%)%s\n", C_B, right, total, quiz_percent(qz), C_OFF);
    if (answered < total) {
        char line[4096] = "";
        size_t len = 0;
        for (size_t i = 0; i < quiz_result_count(qz) && len < sizeof line; i++) {
            const quiz_result *r = quiz_result_at(qz, i);
            if (!r->answered)
                len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", len ? ", " : "",
                                        r->q->id);
        }
        printf("Not answered (%zu, counted as wrong%s): ", total - answered,
               quiz_time_ran_out(qz) ? ", time ran out" : "");
        wrap_from(strlen("Not answered (NN, counted as wrong): "), 2, line);
    }
    if (pass >= 0) {
        bool ok = quiz_passed(qz, (unsigned)pass);
        printf("%sPass mark %ld%%: %s%s\n", ok ? C_OK : C_BAD, pass, ok ? "passed" : "not passed",
               C_OFF);
    }
}

/* clock_now - the quiz's clock: --now (or the start) plus the real time elapsed since. */
static int64_t clock_now(int64_t now, int64_t real_start)
{
    int64_t t = now + ((int64_t)time(NULL) - real_start);
    return t < now ? now : t;
}

int cmd_quiz(int argc, char **argv)
{
    const char *names[QUIZ_MAX_LESSONS];
    size_t n_names = 0;
    long exam = -1, minutes = 0, seconds = 0, pass = -1;
    bool review = false;
    const char *progress_path = NULL;
    uint64_t seed = 0;
    bool have_seed = false;
    int64_t real_start = (int64_t)time(NULL);
    int64_t now = real_start;

    enum { O_REVIEW = 1, O_EXAM, O_MINUTES, O_SECONDS, O_PASS, O_SEED, O_NOW, O_PROGRESS };
    static const app_opt opts[] = {
        {"review", 0, false, O_REVIEW},  {"exam", 0, true, O_EXAM},
        {"minutes", 0, true, O_MINUTES}, {"seconds", 0, true, O_SECONDS},
        {"pass", 0, true, O_PASS},       {"seed", 0, true, O_SEED},
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
            } else if (c == O_SECONDS) {
                if (v < 1 || v > 24 * 60 * 60)
                    return app_opts_usage_error(&p, "--seconds: 1-86400");
                seconds = (long)v;
            } else if (c == O_PASS) {
                if (v > 100)
                    return app_opts_usage_error(&p, "--pass: 0-100 (percent)");
                pass = (long)v;
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
    if ((minutes || seconds || pass >= 0) && exam < 0)
        return app_opts_usage_error(&p, "%s is for --exam",
                                    minutes ? "--minutes" : seconds ? "--seconds" : "--pass");
    if (minutes && seconds)
        return app_opts_usage_error(&p, "choose --minutes or --seconds, not both");
    if (minutes)
        seconds = minutes * 60;
    if (review && exam >= 0) {
        fprintf(stderr, "smtpsim quiz: choose --review or --exam, not both\n");
        return 2;
    }
    const char *nc = getenv("NO_COLOR");
    colour = isatty(STDOUT_FILENO) && !(nc && nc[0]);
    set_wrap();
    if (!have_seed)
        seed = (uint64_t)now * 2654435761u ^ (uint64_t)getpid();

    char ppath[PATH_MAX];
    progress_path = cmd_quiz_progress_path(progress_path, ppath, sizeof ppath);
    if (!progress_path)
        return 2;

    lesson *lessons[QUIZ_MAX_LESSONS];
    int rc = 2;
    progress *prog = NULL;
    quiz *qz = NULL;
    size_t nl = 0;
    if (cmd_quiz_load_lessons("smtpsim quiz", names, n_names, lessons, QUIZ_MAX_LESSONS, &nl) != 0)
        goto out;

    char err[PATH_MAX + 1024];
    progress_status ps = progress_load(progress_path, &prog, err, sizeof err);
    if (ps == PROGRESS_ERROR) {
        fprintf(stderr, "smtpsim quiz: %s\n", err);
        goto out;
    }
    if (ps == PROGRESS_DAMAGED)
        fprintf(stderr, "smtpsim quiz: warning: %s\n", err);
    /* before the first question: answers must never go into a file that cannot be written */
    if (progress_check_writable(progress_path, err, sizeof err) != 0) {
        fprintf(stderr, "smtpsim quiz: %s\n", err);
        fprintf(stderr, "smtpsim quiz: choose another place with --progress FILE\n");
        goto out;
    }

    quiz_options o;
    quiz_options_init(&o, review ? QUIZ_REVIEW : exam >= 0 ? QUIZ_EXAM : QUIZ_PRACTICE, now, seed);
    if (exam >= 0)
        o.count = (size_t)exam;
    o.time_limit = (int64_t)seconds;
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
        char head[256];
        int hl = snprintf(head, sizeof head, "%zu questions", quiz_total(qz));
        if (minutes)
            hl += snprintf(head + hl, sizeof head - (size_t)hl, ", %ld minute%s", minutes,
                           minutes == 1 ? "" : "s");
        else if (seconds)
            hl += snprintf(head + hl, sizeof head - (size_t)hl, ", %ld second%s", seconds,
                           seconds == 1 ? "" : "s");
        if (pass >= 0)
            hl += snprintf(head + hl, sizeof head - (size_t)hl, ", pass mark %ld%%", pass);
        snprintf(head + hl, sizeof head - (size_t)hl, ". No feedback until the end, no going "
                 "back; unanswered questions count as wrong.");
        printf("\n%sExam:%s ", C_B, C_OFF);
        wrap_from(strlen("Exam: "), 0, head);
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

    bool warned = false, quit = false;
    exam_clock ck = {0};
    if (o.mode == QUIZ_EXAM && seconds)
        ck.deadline = (time_t)(real_start + seconds);
    const lesson_question *q;
    size_t asked = 0;
    while (!quit && (q = quiz_current(qz))) {
        if (!quiz_is_repeat(qz))
            asked++;
        show_question(qz, q, asked, quiz_result_count(qz));
        quiz_answer ans;
        int tries = 0;
        line_status ls = LINE_OK;
        for (;;) {
            if (ck.deadline) {
                char left[32];
                fmt_left(ck.deadline - time(NULL), left, sizeof left);
                printf("%s[%s left]%s ", C_DIM, left, C_OFF);
            }
            printf("> ");
            char line[QUIZ_MAX_TEXT];
            ls = read_line(line, sizeof line, ck.deadline ? &ck : NULL);
            if (ls != LINE_OK) {
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
        if (ls == LINE_TIME_UP)
            printf("%sTime is up.%s The questions not answered count as wrong.\n", C_BAD, C_OFF);
        if (quit)
            break;
        quiz_feedback fb;
        quiz_status st = quiz_submit(qz, &ans, clock_now(now, real_start), &fb);
        if (st == QUIZ_TIME_UP) {
            printf("%sTime is up.%s That answer came too late and is not counted; the questions "
                   "not answered count as wrong.\n",
                   C_BAD, C_OFF);
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
    quiz_finish(qz, clock_now(now, real_start));

    size_t right, answered, total;
    quiz_score(qz, &right, &answered, &total);
    if (o.mode == QUIZ_EXAM) {
        exam_results(qz);
        exam_score(qz, pass);
    } else {
        /* practice and review: the score of what was answered, as a learner stops any time */
        printf("\n%sScore: %zu/%zu%s", C_B, right, answered, C_OFF);
        if (answered)
            printf(" (%zu%%)", right * 100 / answered);
        if (answered < total)
            printf(", %zu of %zu answered", answered, total);
        printf("\n");
    }
    if (answered) {
        save(prog, progress_path, &warned);
        if (!warned)
            printf("%sProgress saved in %s%s\n", C_DIM, progress_path, C_OFF);
    }
    rc = warned ? 1 : 0;
    if (rc == 0 && o.mode == QUIZ_EXAM && pass >= 0 && !quiz_passed(qz, (unsigned)pass))
        rc = 1;
out:
    quiz_free(qz);
    progress_free(prog);
    for (size_t i = 0; i < nl; i++)
        lesson_free(lessons[i]);
    return rc;
}
