/* lesson_run.c - a lesson against a run of the world (see lesson_run.h). */
#include "core/teach/lesson_run.h"
#include "core/teach/lesson_status.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool verb_is_end_of_data(const char *v)
{
    return !strcmp(v, ".") || !strcmp(v, "EOM") || !strcmp(v, "DATA-END") ||
           !strcmp(v, "END-OF-DATA") || !strcmp(v, "<CRLF>.<CRLF>");
}

static const char *ordinal(int n, char *buf, size_t cap)
{
    const char *suf = "th";
    if (n % 100 < 11 || n % 100 > 13) {
        if (n % 10 == 1)
            suf = "st";
        else if (n % 10 == 2)
            suf = "nd";
        else if (n % 10 == 3)
            suf = "rd";
    }
    snprintf(buf, cap, "%d%s", n, suf);
    return buf;
}

long lesson_at_find(const lesson_at *at, const lesson_step_view *steps, size_t n, char *err,
                    size_t errlen)
{
    if (at->step >= 0) {
        if ((size_t)at->step >= n) {
            snprintf(err, errlen, "step %ld does not exist (scenario '%s' has %zu steps)", at->step,
                     at->scenario ? at->scenario : "?", n);
            return -1;
        }
        if (!steps[at->step].is_reply) {
            snprintf(err, errlen, "step %ld of scenario '%s' is not a reply", at->step,
                     at->scenario ? at->scenario : "?");
            return -1;
        }
        return at->step;
    }
    const char *want = at->reply_to ? at->reply_to : "";
    bool eod = verb_is_end_of_data(want);
    int found = 0;
    for (int pass = 0; pass < 2; pass++) {
        found = 0;
        for (size_t i = 0; i < n; i++) {
            if (!steps[i].is_reply || !steps[i].verb)
                continue;
            bool match;
            if (!eod)
                match = !strcasecmp(steps[i].verb, want);
            else if (pass == 0)
                match = verb_is_end_of_data(steps[i].verb);
            else /* the world labels the final reply with DATA: take DATA replies but the 354 */
                match = !strcasecmp(steps[i].verb, "DATA") && steps[i].code != 354;
            if (match && ++found == at->nth)
                return (long)i;
        }
        if (!eod || found > 0)
            break;
    }
    char o[16];
    snprintf(err, errlen, "no %s reply to %s in scenario '%s' (%d found)",
             ordinal(at->nth, o, sizeof o), want, at->scenario ? at->scenario : "?", found);
    return -1;
}

int lesson_predict_resolve(lesson_question *q, const lesson_step_view *steps, size_t n, char *err,
                           size_t errlen)
{
    char why[256];
    char qp[64];
    snprintf(qp, sizeof qp, "questions[%zu]", q->index);
    if (q->kind != LESSON_Q_PREDICT || !q->has_at)
        return 0;
    long s = lesson_at_find(&q->at, steps, n, why, sizeof why);
    if (s < 0) {
        snprintf(err, errlen, "%s.at: %s", qp, why);
        return -1;
    }
    int code = steps[s].code;
    if (!code) /* a POP3/IMAP reply: its status word is the truth */
        return lesson_status_resolve(q, steps, s, qp, err, errlen);
    q->predict_status[0] = '\0';
    if (q->n_choices && q->answer > 0) {
        int chosen = lesson_reply_code(q->choices[q->answer - 1]);
        if (chosen != code) {
            snprintf(err, errlen,
                     "%s.answer: choice %d says %d but the scenario replies %d at step %ld", qp,
                     q->answer, chosen, code, s);
            q->predict_code = code;
            return -1;
        }
    } else if (q->predict_code && q->predict_code != code) {
        snprintf(err, errlen, "%s.accept: says %d but the scenario replies %d at step %ld", qp,
                 q->predict_code, code, s);
        q->predict_code = code;
        return -1;
    }
    q->predict_code = code;
    return 0;
}

/* ---- narration matching ------------------------------------------------------------------- */

/* A narration step is chosen for a question when it shares at least this much with it
 * (technical words such as MX or 587 count twice). */
#define NARRATION_MIN_SCORE 3
#define NARRATION_MAX_WORDS 96
#define NARRATION_WORD 24

/* words - the distinct lower-case words (2+ letters or digits, no stop words) of s appended to
 * w[*n]; tech[i] marks words written in capitals or digits in s (MX, DNS, 587). */
static void words(const char *s, char w[][NARRATION_WORD], bool *tech, size_t *n)
{
    static const char *const stop[] = {
        "the", "and", "for", "with", "which", "what", "this", "that", "from", "its", "are",
        "does", "is", "to", "of", "in", "on", "a", "an", "it", "or", "by", "be", "as", "at",
        "one", "now", "not", "has", "have", "can", "who", "how", "why", "true", "false", "do",
        "when", "then", "than", "into", "their", "there", "these", "those", "each", "so", NULL};
    while (s && *s && *n < NARRATION_MAX_WORDS) {
        while (*s && !isalnum((unsigned char)*s))
            s++;
        const char *b = s;
        bool caps = true;
        while (*s && isalnum((unsigned char)*s)) {
            if (islower((unsigned char)*s))
                caps = false;
            s++;
        }
        size_t len = (size_t)(s - b);
        if (len < 2 || len >= NARRATION_WORD)
            continue;
        char lw[NARRATION_WORD];
        for (size_t i = 0; i < len; i++)
            lw[i] = (char)tolower((unsigned char)b[i]);
        lw[len] = 0;
        bool skip = false;
        for (size_t i = 0; stop[i] && !skip; i++)
            skip = !strcmp(stop[i], lw);
        for (size_t i = 0; i < *n && !skip; i++)
            skip = !strcmp(w[i], lw);
        if (skip)
            continue;
        memcpy(w[*n], lw, len + 1);
        tech[*n] = caps;
        (*n)++;
    }
}

long lesson_narration_step(const lesson_question *q, size_t steps)
{
    const lesson *l = q ? q->lesson : NULL;
    if (!l || !l->n_narration)
        return -1;
    char qw[NARRATION_MAX_WORDS][NARRATION_WORD];
    bool qt[NARRATION_MAX_WORDS];
    size_t nq = 0;
    words(q->prompt, qw, qt, &nq);
    for (size_t i = 0; i < q->n_choices; i++)
        words(q->choices[i], qw, qt, &nq);
    for (size_t i = 0; i < q->n_accept; i++)
        words(q->accept[i], qw, qt, &nq);
    words(q->explanation, qw, qt, &nq);
    long best = -1;
    int best_score = NARRATION_MIN_SCORE - 1;
    for (size_t k = 0; k < l->n_narration; k++) {
        const lesson_narration *nr = &l->narration[k];
        if (nr->step < 0 || (size_t)nr->step >= steps)
            continue;
        char nw[NARRATION_MAX_WORDS][NARRATION_WORD];
        bool nt[NARRATION_MAX_WORDS];
        size_t nn = 0;
        words(nr->text, nw, nt, &nn);
        int score = 0;
        for (size_t i = 0; i < nq; i++)
            for (size_t j = 0; j < nn; j++)
                if (!strcmp(qw[i], nw[j]))
                    score += qt[i] || nt[j] ? 2 : 1;
        if (score > best_score) { /* ties: the earlier step, the first time it happens */
            best_score = score;
            best = nr->step;
        }
    }
    return best;
}
