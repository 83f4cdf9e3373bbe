/* quiz.c - quiz sessions: choosing questions, grading every kind, feedback, scores, reports.
 *
 * No clock and no libc rand: the caller passes the time and the seed, so a session is a pure
 * function of (lessons, progress, options, answers, times) and tests replay it exactly.
 */
#include "core/teach/quiz.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/lesson_status.h"
#include "core/util/membuf.h"

typedef struct {
    const lesson_question *q;
    size_t perm[LESSON_MAX_ITEMS]; /* display position -> item / pair / choice index */
    bool repeat;                   /* second try of a missed question */
    size_t result;                 /* index into results */
    bool submitted;
} quiz_item;

struct quiz {
    quiz_options opt;
    progress *prog;
    quiz_item *items;
    size_t n_items, cap_items;
    quiz_result *results;
    size_t n_results;
    size_t pos;
    bool finished;
    bool time_up; /* exam: the time limit ran out before every question was answered */
    bool all; /* practice: nothing was due */
    int64_t next_due;
    uint64_t rng;
};

uint64_t quiz_rng(uint64_t *state)
{
    /* splitmix64 (Steele, Lea, Flood 2014): tiny, and every seed is a good one */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *st, size_t n)
{
    return n ? (size_t)(quiz_rng(st) % n) : 0;
}

void quiz_options_init(quiz_options *o, quiz_mode mode, int64_t now, uint64_t seed)
{
    memset(o, 0, sizeof *o);
    o->mode = mode;
    o->now = now;
    o->seed = seed;
    o->repeat_missed = mode == QUIZ_PRACTICE;
}

/* shuffle_display - a shuffled order that is never the correct one (n >= 2). */
static void shuffle_display(size_t *perm, size_t n, uint64_t *st)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    if (n < 2)
        return;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = rng_below(st, i + 1);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    bool identity = true;
    for (size_t i = 0; i < n; i++)
        identity = identity && perm[i] == i;
    if (identity) { /* rotate by one: still a fair-looking order, never the answer */
        for (size_t i = 0; i < n; i++)
            perm[i] = (i + 1) % n;
    }
}

void quiz_shuffle_choices(const lesson_question *q, uint64_t *rng, size_t *perm)
{
    size_t free_pos[LESSON_MAX_CHOICES], n_free = 0;
    for (size_t i = 0; i < LESSON_MAX_ITEMS; i++)
        perm[i] = i;
    for (size_t i = 0; i < q->n_choices && i < LESSON_MAX_ITEMS; i++)
        if (!((q->pin_mask >> i) & 1u))
            free_pos[n_free++] = i;
    /* Fisher-Yates over the unpinned positions only: a pinned choice keeps its place */
    for (size_t i = n_free; i > 1; i--) {
        size_t j = rng_below(rng, i);
        size_t a = free_pos[i - 1], b = free_pos[j];
        size_t t = perm[a];
        perm[a] = perm[b];
        perm[b] = t;
    }
}

/* has_choices - the kinds whose choices are shown shuffled. */
static bool has_choices(const lesson_question *q)
{
    return q->n_choices &&
           (q->kind == LESSON_Q_SINGLE || q->kind == LESSON_Q_MULTI || q->kind == LESSON_Q_PREDICT);
}

static int push_item(quiz *qz, const lesson_question *q, bool repeat, size_t result)
{
    quiz_item *v = membuf_grow_array(qz->items, &qz->cap_items, qz->n_items + 1, sizeof *v);
    if (!v)
        return -1;
    qz->items = v;
    quiz_item *it = &qz->items[qz->n_items++];
    memset(it, 0, sizeof *it);
    it->q = q;
    it->repeat = repeat;
    it->result = result;
    size_t n = q->kind == LESSON_Q_ORDER ? q->n_items : q->kind == LESSON_Q_MATCH ? q->n_pairs : 0;
    if (n)
        shuffle_display(it->perm, n, &qz->rng);
    else if (has_choices(q))
        quiz_shuffle_choices(q, &qz->rng, it->perm);
    else
        for (size_t i = 0; i < LESSON_MAX_ITEMS; i++)
            it->perm[i] = i;
    return 0;
}

typedef struct {
    const lesson_question *q;
    int rank; /* 0 due, 1 new, 2 not due */
    int box;
    int64_t due;
    size_t order;
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->rank != 1) {
        if (x->box != y->box && x->rank == 0)
            return x->box - y->box; /* the shakiest first */
        if (x->due != y->due)
            return x->due < y->due ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

quiz *quiz_new(const lesson *const *lessons, size_t n_lessons, progress *p, const quiz_options *o,
               char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t i = 0; i < n_lessons; i++)
        total += lessons[i] ? lessons[i]->n_questions : 0;
    if (total == 0) {
        snprintf(err, errlen, "no questions");
        return NULL;
    }
    quiz *qz = calloc(1, sizeof *qz);
    cand *c = calloc(total, sizeof *c);
    if (!qz || !c) {
        free(qz);
        free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    qz->opt = *o;
    qz->prog = p;
    qz->rng = o->seed;
    size_t n = 0;
    for (size_t i = 0; i < n_lessons; i++)
        for (size_t k = 0; lessons[i] && k < lessons[i]->n_questions; k++) {
            const lesson_question *q = &lessons[i]->questions[k];
            if (q->kind == LESSON_Q_PREDICT && !q->n_choices && !q->predict_code &&
                !q->predict_status[0] && !q->n_accept)
                continue; /* its truth comes from a world nobody built: cannot be graded */
            const progress_entry *e = progress_get(p, q->id);
            cand *x = &c[n];
            x->q = q;
            x->order = n;
            x->box = e ? e->box : 0;
            x->due = e ? e->due : 0;
            x->rank = !e ? 1 : (e->due <= o->now ? 0 : 2);
            if (e && e->due > o->now && (qz->next_due == 0 || e->due < qz->next_due))
                qz->next_due = e->due;
            n++;
        }

    size_t take = 0;
    if (n == 0) {
        snprintf(err, errlen, "no questions that can be graded");
        free(c);
        quiz_free(qz);
        return NULL;
    }
    if (o->mode == QUIZ_PRACTICE) {
        qsort(c, n, sizeof *c, cmp_cand);
        for (take = 0; take < n && c[take].rank < 2; take++)
            ;
        if (take == 0) { /* nothing due, nothing new: practise all, soonest due first */
            qz->all = true;
            take = n;
        }
    } else if (o->mode == QUIZ_REVIEW) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const progress_entry *e = progress_get(p, c[i].q->id);
            if (e && e->seen > 0 && !e->last_ok)
                c[k++] = c[i];
        }
        take = k;
        if (take == 0) {
            snprintf(err, errlen, "nothing to review: no question was missed last time");
            free(c);
            quiz_free(qz);
            return NULL;
        }
    } else { /* exam: a partial Fisher-Yates draw of `count` questions */
        size_t want = o->count && o->count < n ? o->count : n;
        for (size_t i = 0; i < want; i++) {
            size_t j = i + rng_below(&qz->rng, n - i);
            cand t = c[i];
            c[i] = c[j];
            c[j] = t;
        }
        take = want;
    }
    if (o->mode != QUIZ_EXAM && o->count && o->count < take)
        take = o->count;

    qz->results = calloc(take, sizeof *qz->results);
    if (!qz->results)
        goto oom;
    for (size_t i = 0; i < take; i++) {
        qz->results[i].q = c[i].q;
        if (push_item(qz, c[i].q, false, i) != 0)
            goto oom;
    }
    qz->n_results = take;
    free(c);
    return qz;
oom:
    free(c);
    quiz_free(qz);
    snprintf(err, errlen, "out of memory");
    return NULL;
}

void quiz_free(quiz *qz)
{
    if (!qz)
        return;
    free(qz->items);
    free(qz->results);
    free(qz);
}

quiz_mode quiz_get_mode(const quiz *qz)
{
    return qz->opt.mode;
}

size_t quiz_total(const quiz *qz)
{
    return qz->n_items;
}

size_t quiz_position(const quiz *qz)
{
    return qz->pos;
}

bool quiz_practising_all(const quiz *qz)
{
    return qz->all;
}

int64_t quiz_next_due(const quiz *qz)
{
    return qz->next_due;
}

const lesson_question *quiz_current(const quiz *qz)
{
    if (!qz || qz->finished || qz->pos >= qz->n_items)
        return NULL;
    return qz->items[qz->pos].q;
}

bool quiz_is_repeat(const quiz *qz)
{
    return quiz_current(qz) && qz->items[qz->pos].repeat;
}

size_t quiz_display(const quiz *qz, size_t pos)
{
    if (!quiz_current(qz) || pos >= LESSON_MAX_ITEMS)
        return pos;
    return qz->items[qz->pos].perm[pos];
}

int64_t quiz_time_left(const quiz *qz, int64_t now)
{
    if (qz->opt.mode != QUIZ_EXAM || qz->opt.time_limit <= 0)
        return INT64_MAX;
    return qz->opt.now + qz->opt.time_limit - now;
}

/* status_right - whether `given` (a choice's text or a typed answer) names the status the world
 * answers (truth, a lesson_status key): "NO" is right for "NO [AUTHENTICATIONFAILED]". */
static bool status_right(const char *given, const char *truth)
{
    char key[LESSON_STATUS_MAX];
    return given && lesson_status_parse(given, key, sizeof key) == 0 &&
           lesson_status_matches(key, truth);
}

/* --- grading ------------------------------------------------------------------------------ */

static void append(char *buf, size_t cap, const char *fmt, const char *a, const char *b)
{
    size_t len = strlen(buf);
    if (len + 1 < cap)
        snprintf(buf + len, cap - len, fmt, a, b);
}

static bool accept_match(char *const *accept, size_t n, const char *text)
{
    char want[QUIZ_MAX_TEXT], got[QUIZ_MAX_TEXT];
    lesson_normalise(text, got, sizeof got);
    if (!got[0])
        return false;
    for (size_t i = 0; i < n; i++) {
        lesson_normalise(accept[i], want, sizeof want);
        if (!strcmp(want, got))
            return true;
    }
    return false;
}

/* spell_choices - "2. 587" for each choice in mask, in displayed order, "; " between. */
static void spell_choices(char *buf, size_t cap, const lesson_question *q, const size_t *perm,
                          unsigned mask)
{
    char num[16];
    buf[0] = '\0';
    for (size_t pos = 0; pos < q->n_choices; pos++) {
        size_t k = perm[pos];
        if (k >= q->n_choices || !((mask >> k) & 1u))
            continue;
        snprintf(num, sizeof num, "%s%zu. ", buf[0] ? "; " : "", pos + 1);
        append(buf, cap, "%s%s", num, q->choices[k]);
    }
}

bool quiz_grade(const lesson_question *q, const size_t *perm, const quiz_answer *a,
                quiz_feedback *fb)
{
    static const size_t ident[LESSON_MAX_ITEMS] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    if (!perm)
        perm = ident;
    memset(fb, 0, sizeof *fb);
    fb->shown = true;
    fb->explanation = q->explanation;
    bool ok = false;
    bool chose = a->choice >= 1 && (size_t)a->choice <= q->n_choices;
    switch (q->kind) {
    case LESSON_Q_SINGLE:
        /* a->choice is the choice's identity (its place in the file), never its shown number */
        ok = a->choice == q->answer;
        spell_choices(fb->right, sizeof fb->right, q, perm, 1u << (q->answer - 1));
        if (chose)
            spell_choices(fb->given, sizeof fb->given, q, perm, 1u << (a->choice - 1));
        if (!ok && chose)
            fb->why_not = q->why_not[a->choice - 1];
        break;
    case LESSON_Q_MULTI: {
        ok = a->mask == q->answer_mask;
        spell_choices(fb->right, sizeof fb->right, q, perm, q->answer_mask);
        spell_choices(fb->given, sizeof fb->given, q, perm, a->mask);
        /* the first wrong choice taken (in the order shown) says why it is wrong */
        unsigned wrong = a->mask & ~q->answer_mask;
        for (size_t pos = 0; pos < q->n_choices && !fb->why_not; pos++)
            if (perm[pos] < q->n_choices && ((wrong >> perm[pos]) & 1u))
                fb->why_not = q->why_not[perm[pos]];
        if (!ok) {
            unsigned missed = q->answer_mask & ~a->mask;
            int nw = __builtin_popcount(wrong), nm = __builtin_popcount(missed);
            snprintf(fb->detail, sizeof fb->detail,
                     "%d wrong choice%s taken, %d right choice%s missed", nw, nw == 1 ? "" : "s",
                     nm, nm == 1 ? "" : "s");
        }
        break;
    }
    case LESSON_Q_TRUEFALSE:
        ok = a->tf == q->answer_tf;
        snprintf(fb->right, sizeof fb->right, "%s", q->answer_tf ? "true" : "false");
        snprintf(fb->given, sizeof fb->given, "%s", a->tf ? "true" : "false");
        if (!ok)
            fb->why_not = q->why_not[a->tf ? 0 : 1];
        break;
    case LESSON_Q_SHORT:
        ok = accept_match(q->accept, q->n_accept, a->text);
        snprintf(fb->right, sizeof fb->right, "%s", q->accept[0]);
        snprintf(fb->given, sizeof fb->given, "%s", a->text);
        break;
    case LESSON_Q_ORDER: {
        size_t in_place = 0;
        for (size_t k = 0; k < a->n_order && k < q->n_items; k++)
            if (a->order[k] < q->n_items && perm[a->order[k]] == k)
                in_place++;
        ok = a->n_order == q->n_items && in_place == q->n_items;
        for (size_t i = 0; i < q->n_items; i++)
            append(fb->right, sizeof fb->right, "%s%s", i ? ", " : "", q->items[i]);
        for (size_t k = 0; k < a->n_order && k < q->n_items; k++)
            if (a->order[k] < q->n_items)
                append(fb->given, sizeof fb->given, "%s%s", k ? ", " : "",
                       q->items[perm[a->order[k]]]);
        if (!ok)
            snprintf(fb->detail, sizeof fb->detail, "%zu of %zu in the right place", in_place,
                     q->n_items);
        break;
    }
    case LESSON_Q_MATCH: {
        size_t good = 0;
        char wrong[sizeof fb->detail] = "";
        for (size_t i = 0; i < a->n_match && i < q->n_pairs; i++) {
            size_t r = a->match[i] < q->n_pairs ? perm[a->match[i]] : q->n_pairs;
            if (r == i) {
                good++;
            } else if (r < q->n_pairs) {
                /* name each wrong pair as given, so the student sees which ones to relearn */
                append(wrong, sizeof wrong, "%s%s", wrong[0] ? "; " : "", q->left[i]);
                append(wrong, sizeof wrong, "%s%s", " - ", q->right[r]);
            }
            if (r < q->n_pairs) {
                append(fb->given, sizeof fb->given, "%s%s", i ? "; " : "", q->left[i]);
                append(fb->given, sizeof fb->given, "%s%s", " - ", q->right[r]);
            }
        }
        ok = a->n_match == q->n_pairs && good == q->n_pairs;
        for (size_t i = 0; i < q->n_pairs; i++) {
            append(fb->right, sizeof fb->right, "%s%s", i ? "; " : "", q->left[i]);
            append(fb->right, sizeof fb->right, "%s%s", " - ", q->right[i]);
        }
        if (!ok)
            snprintf(fb->detail, sizeof fb->detail, "%zu of %zu pairs right%s%s", good, q->n_pairs,
                     wrong[0] ? "; wrong: " : "", wrong);
        break;
    }
    case LESSON_Q_PREDICT: {
        /* The truth is the reply the world gives (predict_code), whichever way it is asked. */
        int code = q->predict_code;
        const char *status = q->predict_status; /* a POP3/IMAP reply: "-ERR [AUTH]" */
        if (status[0]) {
            ok = chose ? status_right(q->choices[a->choice - 1], status)
                       : !q->n_choices && status_right(a->text, status);
            if (chose)
                spell_choices(fb->given, sizeof fb->given, q, perm, 1u << (a->choice - 1));
            else
                snprintf(fb->given, sizeof fb->given, "%s", a->text);
            if (!ok && chose)
                fb->why_not = q->why_not[a->choice - 1];
        } else if (q->n_choices && chose) {
            ok = code ? lesson_reply_code(q->choices[a->choice - 1]) == code
                      : a->choice == q->answer;
            spell_choices(fb->given, sizeof fb->given, q, perm, 1u << (a->choice - 1));
            if (!ok)
                fb->why_not = q->why_not[a->choice - 1];
        } else if (code) {
            ok = lesson_reply_code(a->text) == code;
            snprintf(fb->given, sizeof fb->given, "%s", a->text);
        } else {
            ok = accept_match(q->accept, q->n_accept, a->text);
            snprintf(fb->given, sizeof fb->given, "%s", a->text);
        }
        if (q->n_choices && q->answer)
            spell_choices(fb->right, sizeof fb->right, q, perm, 1u << (q->answer - 1));
        else if (status[0])
            snprintf(fb->right, sizeof fb->right, "%s", status);
        else if (code)
            snprintf(fb->right, sizeof fb->right, "%d", code);
        else if (q->n_accept)
            snprintf(fb->right, sizeof fb->right, "%s", q->accept[0]);
        break;
    }
    }
    fb->correct = ok;
    return ok;
}

/* --- parsing typed answers ------------------------------------------------------------------ */

static const char *skip_sep(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == ',' || *s == ';' || *s == '-' || *s == '\n' ||
           *s == '\r')
        s++;
    return s;
}

/* choice_number - "3" or "c" as a 1-based number within 1..n, else 0. */
static int choice_number(const char *text, size_t n)
{
    char t[QUIZ_MAX_TEXT];
    lesson_normalise(text, t, sizeof t);
    if (t[0] && !t[1]) {
        int v = 0;
        if (t[0] >= '1' && t[0] <= '9')
            v = t[0] - '0';
        else if (t[0] >= 'a' && t[0] <= 'i')
            v = t[0] - 'a' + 1;
        return (v >= 1 && (size_t)v <= n) ? v : 0;
    }
    return 0;
}

int quiz_parse(const quiz *qz, const char *text, quiz_answer *out, char *err, size_t errlen)
{
    const lesson_question *q = quiz_current(qz);
    memset(out, 0, sizeof *out);
    if (!q) {
        snprintf(err, errlen, "the quiz is over");
        return -1;
    }
    char t[QUIZ_MAX_TEXT];
    lesson_normalise(text, t, sizeof t);
    snprintf(out->text, sizeof out->text, "%s", text);
    /* numbers typed are displayed positions: the answer holds the choices' identities */
    const size_t *perm = qz->items[qz->pos].perm;
    switch (q->kind) {
    case LESSON_Q_SINGLE:
        out->choice = choice_number(t, q->n_choices);
        if (out->choice)
            out->choice = (int)perm[out->choice - 1] + 1;
        if (!out->choice) {
            snprintf(err, errlen, "type a number 1-%zu", q->n_choices);
            return -1;
        }
        return 0;
    case LESSON_Q_MULTI:
        for (const char *s = skip_sep(t); *s; s = skip_sep(s)) {
            int v = (*s >= '1' && *s <= '9')   ? *s - '0'
                    : (*s >= 'a' && *s <= 'i') ? *s - 'a' + 1
                                               : 0;
            if (v < 1 || (size_t)v > q->n_choices) {
                snprintf(err, errlen, "type the numbers of every right choice, like 1,3 (1-%zu)",
                         q->n_choices);
                return -1;
            }
            out->mask |= 1u << perm[v - 1];
            s++;
        }
        if (!out->mask) {
            snprintf(err, errlen, "type at least one number (1-%zu), like 1,3", q->n_choices);
            return -1;
        }
        return 0;
    case LESSON_Q_TRUEFALSE:
        if (!strcmp(t, "t") || !strcmp(t, "true") || !strcmp(t, "y") || !strcmp(t, "yes") ||
            !strcmp(t, "1")) {
            out->tf = true;
            return 0;
        }
        if (!strcmp(t, "f") || !strcmp(t, "false") || !strcmp(t, "n") || !strcmp(t, "no") ||
            !strcmp(t, "2")) {
            out->tf = false;
            return 0;
        }
        snprintf(err, errlen, "type t (true) or f (false)");
        return -1;
    case LESSON_Q_SHORT:
        if (!t[0]) {
            snprintf(err, errlen, "type your answer");
            return -1;
        }
        return 0;
    case LESSON_Q_ORDER: {
        unsigned seen = 0;
        for (const char *s = skip_sep(t); *s; s = skip_sep(s)) {
            int v = (*s >= '1' && *s <= '9') ? *s - '0' : 0;
            if (v < 1 || (size_t)v > q->n_items || (seen & (1u << (v - 1))) ||
                out->n_order >= q->n_items) {
                out->n_order = 0;
                break;
            }
            seen |= 1u << (v - 1);
            out->order[out->n_order++] = (size_t)(v - 1);
            s++;
        }
        if (out->n_order != q->n_items) {
            snprintf(err, errlen, "type each number 1-%zu once, in the right order, like 3 1 2",
                     q->n_items);
            return -1;
        }
        return 0;
    }
    case LESSON_Q_MATCH: {
        /* "1b 2a 3c" or "bac" */
        size_t n = q->n_pairs;
        bool set[LESSON_MAX_ITEMS] = {false};
        unsigned used = 0;
        size_t next_left = 0;
        bool bad = false;
        for (const char *s = skip_sep(t); *s && !bad; s = skip_sep(s)) {
            size_t left = next_left;
            if (*s >= '1' && *s <= '9') {
                left = (size_t)(*s - '1');
                s++;
                s = skip_sep(s);
            }
            if (!(*s >= 'a' && *s <= 'i') || left >= n) {
                bad = true;
                break;
            }
            size_t r = (size_t)(*s - 'a');
            if (r >= n || set[left] || (used & (1u << r))) {
                bad = true;
                break;
            }
            set[left] = true;
            used |= 1u << r;
            out->match[left] = r;
            next_left = left + 1;
            s++;
        }
        for (size_t i = 0; i < n && !bad; i++)
            bad = !set[i];
        if (bad) {
            char last = (char)('a' + n - 1);
            snprintf(err, errlen, "give a letter a-%c for each of 1-%zu, like 1%c 2a ... (or %.*s)",
                     last, n, last, (int)n, "abcdefghi");
            return -1;
        }
        out->n_match = n;
        return 0;
    }
    case LESSON_Q_PREDICT:
        if (q->n_choices) {
            out->choice = choice_number(t, q->n_choices);
            if (out->choice) {
                out->choice = (int)perm[out->choice - 1] + 1;
                return 0;
            }
            int code = lesson_reply_code(t);
            if (code) { /* a typed code picks the choice that starts with it */
                for (size_t i = 0; i < q->n_choices; i++)
                    if (lesson_reply_code(q->choices[i]) == code)
                        out->choice = (int)i + 1;
                if (!out->choice)
                    out->choice = -1; /* a code no choice has: wrong, but an answer */
                return 0;
            }
            char key[LESSON_STATUS_MAX], ck[LESSON_STATUS_MAX];
            if (lesson_status_parse(t, key, sizeof key) == 0) {
                /* "-ERR" picks the one choice it names; naming several ("-ERR" among
                 * "-ERR [AUTH]" and "-ERR [IN-USE]") is wrong, but an answer */
                int n = 0;
                for (size_t i = 0; i < q->n_choices; i++)
                    if (lesson_status_parse(q->choices[i], ck, sizeof ck) == 0 &&
                        lesson_status_matches(key, ck) && ++n)
                        out->choice = (int)i + 1;
                if (n != 1)
                    out->choice = -1;
                return 0;
            }
            snprintf(err, errlen, "type a number 1-%zu or a reply code", q->n_choices);
            return -1;
        }
        if (q->predict_status[0]) {
            char key[LESSON_STATUS_MAX];
            if (lesson_status_parse(t, key, sizeof key) == 0)
                return 0;
            snprintf(err, errlen, "type a status, like +OK, -ERR, OK, NO or BAD");
            return -1;
        }
        if (!lesson_reply_code(t) && !(q->n_accept && !q->predict_code && t[0])) {
            snprintf(err, errlen, "type a three-digit reply code, like 250");
            return -1;
        }
        return 0;
    }
    snprintf(err, errlen, "unknown question kind");
    return -1;
}

/* --- the session -------------------------------------------------------------------------- */

quiz_status quiz_submit(quiz *qz, const quiz_answer *a, int64_t now, quiz_feedback *fb)
{
    memset(fb, 0, sizeof *fb);
    const lesson_question *q = quiz_current(qz);
    if (!q)
        return QUIZ_FINISHED;
    quiz_item *it = &qz->items[qz->pos];
    if (it->submitted)
        return QUIZ_ALREADY;
    if (quiz_time_left(qz, now) < 0) {
        qz->time_up = true; /* this answer and every later question count as wrong */
        quiz_finish(qz, now);
        return QUIZ_TIME_UP;
    }
    switch (q->kind) {
    case LESSON_Q_SINGLE:
        if (a->choice < 1 || (size_t)a->choice > q->n_choices)
            return QUIZ_BAD_ANSWER;
        break;
    case LESSON_Q_MULTI:
        if (!a->mask || (a->mask >> q->n_choices))
            return QUIZ_BAD_ANSWER;
        break;
    case LESSON_Q_ORDER:
        if (a->n_order != q->n_items)
            return QUIZ_BAD_ANSWER;
        break;
    case LESSON_Q_MATCH:
        if (a->n_match != q->n_pairs)
            return QUIZ_BAD_ANSWER;
        break;
    default:
        break;
    }
    bool ok = quiz_grade(q, it->perm, a, fb);
    it->submitted = true;
    if (!it->repeat) {
        quiz_result *r = &qz->results[it->result];
        r->answered = true;
        r->correct = ok;
        r->answer = *a;
        progress_record(qz->prog, q->id, ok, now);
        if (!ok && qz->opt.mode == QUIZ_PRACTICE && qz->opt.repeat_missed)
            push_item(qz, q, true, it->result); /* on failure it is simply not repeated */
    }
    if (qz->opt.mode == QUIZ_EXAM) {
        /* no feedback until the end: the caller shows only that the answer was recorded */
        quiz_feedback hidden = {0};
        *fb = hidden;
    }
    return QUIZ_OK;
}

void quiz_next(quiz *qz)
{
    if (!qz || qz->finished || qz->pos >= qz->n_items)
        return;
    if (qz->opt.mode == QUIZ_EXAM && !qz->items[qz->pos].submitted)
        return; /* no skipping in an exam */
    qz->pos++;
    if (qz->pos >= qz->n_items)
        qz->finished = true;
}

void quiz_finish(quiz *qz, int64_t now)
{
    if (!qz)
        return;
    /* ended at or past the limit with questions left: the clock ended it, not the student */
    if (!qz->finished && qz->pos < qz->n_items && quiz_time_left(qz, now) <= 0)
        qz->time_up = true;
    qz->finished = true;
}

bool quiz_time_ran_out(const quiz *qz)
{
    return qz && qz->time_up;
}

unsigned quiz_percent(const quiz *qz)
{
    size_t right = 0, total = 0;
    quiz_score(qz, &right, NULL, &total);
    return total ? (unsigned)(right * 100 / total) : 0;
}

bool quiz_passed(const quiz *qz, unsigned pass_percent)
{
    size_t right = 0, total = 0;
    quiz_score(qz, &right, NULL, &total);
    /* compared in whole numbers: 4 of 5 passes 80, no rounding can let 79.9 through */
    return total && right * 100 >= (size_t)pass_percent * total;
}

bool quiz_finished(const quiz *qz)
{
    return !qz || qz->finished || qz->pos >= qz->n_items;
}

void quiz_score(const quiz *qz, size_t *right, size_t *answered, size_t *total)
{
    size_t r = 0, a = 0;
    for (size_t i = 0; i < qz->n_results; i++) {
        a += qz->results[i].answered;
        r += qz->results[i].correct;
    }
    if (right)
        *right = r;
    if (answered)
        *answered = a;
    if (total)
        *total = qz->n_results;
}

size_t quiz_result_count(const quiz *qz)
{
    return qz->n_results;
}

const quiz_result *quiz_result_at(const quiz *qz, size_t i)
{
    return i < qz->n_results ? &qz->results[i] : NULL;
}

void quiz_result_feedback(const quiz *qz, size_t i, quiz_feedback *fb)
{
    memset(fb, 0, sizeof *fb);
    if (i >= qz->n_results)
        return;
    const quiz_result *r = &qz->results[i];
    const size_t *perm = NULL;
    for (size_t k = 0; k < qz->n_items; k++)
        if (!qz->items[k].repeat && qz->items[k].result == i)
            perm = qz->items[k].perm;
    quiz_grade(r->q, perm, &r->answer, fb);
    fb->correct = r->correct;
    if (!r->answered) {
        fb->why_not = NULL;
        fb->given[0] = '\0';
        fb->detail[0] = '\0';
    }
    if (qz->opt.mode == QUIZ_EXAM && !quiz_finished(qz)) {
        quiz_feedback hidden = {0};
        *fb = hidden;
    }
}

size_t quiz_report(const quiz *qz, quiz_topic_score *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < qz->n_results; i++) {
        const char *topic = lesson_question_topic(qz->results[i].q);
        size_t k = 0;
        while (k < n && strcmp(out[k].topic, topic))
            k++;
        if (k == n) {
            if (n == cap)
                continue;
            out[n].topic = topic;
            out[n].right = out[n].total = 0;
            n++;
        }
        out[k].total++;
        out[k].right += qz->results[i].correct;
    }
    return n;
}
