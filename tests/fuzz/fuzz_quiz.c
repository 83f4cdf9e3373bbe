/* fuzz_quiz.c - libFuzzer target for the quiz answer parser (what a student types).
 *
 * The lessons are the real ones (every lessons/NAME.json, loaded once), so every question kind
 * is met.
 * The first byte picks the mode, the second how many questions to skip, the third and fourth
 * the seed. The rest is typed text, one answer per line: each is parsed for the current
 * question; a parsed answer is submitted (graded, recorded in a progress kept in memory) and
 * the session moves on. A refused answer must say why; feedback strings must be terminated.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/lesson.h"
#include "core/teach/progress.h"
#include "core/teach/quiz.h"
#include "fuzz_common.h"

#define MAX_LESSONS 64

static lesson *lessons[MAX_LESSONS];
static size_t n_lessons;

/* LLVMFuzzerInitialize - load every lesson once; no lesson is a setup error, not a finding. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char dir[512], path[1024], err[4096];
    fuzz_data_path("lessons", dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "fuzz_quiz: cannot open %s (run from the repository or set SMTPSIM_DATA)\n",
                dir);
        exit(1);
    }
    struct dirent *de;
    while ((de = readdir(d)) && n_lessons < MAX_LESSONS) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        lesson *l = lesson_load(path, err, sizeof err);
        if (l)
            lessons[n_lessons++] = l;
    }
    closedir(d);
    if (n_lessons == 0) {
        fprintf(stderr, "fuzz_quiz: no lesson loaded from %s\n", dir);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    quiz_options o;
    quiz_options_init(&o, (quiz_mode)(data[0] % 3), 1764000000, (uint64_t)data[2] << 8 | data[3]);
    if (o.mode == QUIZ_EXAM)
        o.count = 20;
    progress *p = progress_new();
    if (!p)
        fuzz_die("out of memory");
    if (o.mode == QUIZ_REVIEW) /* something to review: every question of the first lesson missed */
        for (size_t i = 0; i < lessons[0]->n_questions; i++)
            progress_record(p, lessons[0]->questions[i].id, false, 1763000000);
    char err[512];
    quiz *qz = quiz_new((const lesson *const *)lessons, n_lessons, p, &o, err, sizeof err);
    if (!qz) {
        progress_free(p);
        return 0;
    }
    for (unsigned k = 0; k < data[1] && quiz_current(qz); k++)
        quiz_next(qz);
    char *text = fuzz_copy(data + 4, size - 4);
    int64_t now = 1764000000;
    for (char *line = text, *next; line && quiz_current(qz); line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        quiz_answer a;
        memset(&a, 0xa5, sizeof a); /* the parser must fill what it uses */
        err[0] = '\0';
        if (quiz_parse(qz, line, &a, err, sizeof err) != 0) {
            if (!err[0] || !memchr(err, '\0', sizeof err))
                fuzz_die("answer refused without a hint");
            continue;
        }
        quiz_feedback fb;
        quiz_status st = quiz_submit(qz, &a, now += 5, &fb);
        if (st == QUIZ_OK && (!memchr(fb.right, '\0', sizeof fb.right) ||
                              !memchr(fb.detail, '\0', sizeof fb.detail)))
            fuzz_die("feedback not terminated");
        quiz_next(qz);
    }
    free(text);
    quiz_finish(qz, now + 5);
    size_t right, answered, total;
    quiz_score(qz, &right, &answered, &total);
    if (right > answered || answered > total)
        fuzz_die("score does not add up");
    for (size_t i = 0; i < quiz_result_count(qz); i++) {
        quiz_feedback fb;
        quiz_result_feedback(qz, i, &fb);
    }
    quiz_free(qz);
    progress_free(p);
    return 0;
}
