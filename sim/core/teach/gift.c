/* gift.c - Moodle GIFT export of a lesson (the mapping is described in gift.h). */
#include "core/teach/gift.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *s;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_fmt(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* sb_esc - text with GIFT's special characters escaped. */
static void sb_esc(sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '~':
        case '=':
        case '#':
        case '{':
        case '}':
        case ':':
        case '\\':
            sb_put(b, "\\", 1);
            sb_put(b, s, 1);
            break;
        case '\n':
            sb_put(b, "\\n", 2);
            break;
        case '\r':
            break;
        default:
            sb_put(b, s, 1);
        }
    }
}

size_t gift_escape(const char *in, char *out, size_t outlen)
{
    sbuf b = {0};
    sb_esc(&b, in);
    size_t need = b.len;
    if (outlen) {
        size_t n = need < outlen - 1 ? need : outlen - 1;
        if (b.s)
            memcpy(out, b.s, n);
        out[n] = '\0';
    }
    free(b.s);
    return need;
}

/* Moodle accepts only certain grade fractions; 100/k for k = 1..9 as it spells them. */
static const char *const share[LESSON_MAX_CHOICES + 1] = {
    "0", "100", "50", "33.33333", "25", "20", "16.66667", "14.28571", "12.5", "11.11111"};

static void general_feedback(sbuf *b, const lesson_question *q)
{
    sb_str(b, "####");
    sb_esc(b, q->explanation);
    if (q->n_refs) {
        sb_esc(b, "\nReferences: ");
        for (size_t i = 0; i < q->n_refs; i++) {
            if (i)
                sb_str(b, "; ");
            sb_esc(b, q->refs[i]);
        }
    }
}

static void choices(sbuf *b, const lesson_question *q, bool multi)
{
    int k = __builtin_popcount(q->answer_mask);
    for (size_t i = 0; i < q->n_choices; i++) {
        bool right = multi ? (q->answer_mask >> i) & 1u : (int)i + 1 == q->answer;
        sb_str(b, "\n    ");
        if (!multi)
            sb_str(b, right ? "=" : "~");
        else
            sb_fmt(b, "~%%%s%%", right ? share[k] : "-100");
        sb_esc(b, q->choices[i]);
        if (q->why_not[i]) {
            sb_str(b, " #");
            sb_esc(b, q->why_not[i]);
        }
    }
}

static void question(sbuf *b, const lesson_question *q)
{
    sb_fmt(b, "// %s (%s, difficulty %d)\n", q->id, lesson_kind_name(q->kind), q->difficulty);
    if (q->pin_mask) /* GIFT cannot pin one answer: say so where a teacher will look */
        sb_str(b, "// A choice here must keep its place: turn off \"Shuffle the choices\" for "
                  "this question in Moodle.\n");
    sb_str(b, "::");
    sb_esc(b, q->id);
    sb_str(b, "::[plain]");
    sb_esc(b, q->prompt);
    if (q->kind == LESSON_Q_ORDER) {
        sb_esc(b, " (Give each position its item.)");
    }
    sb_str(b, " {");
    switch (q->kind) {
    case LESSON_Q_SINGLE:
        choices(b, q, false);
        break;
    case LESSON_Q_MULTI:
        choices(b, q, true);
        break;
    case LESSON_Q_TRUEFALSE:
        /* {TRUE#shown to a wrong answer#shown to a right answer} */
        sb_str(b, q->answer_tf ? "TRUE#" : "FALSE#");
        sb_esc(b, q->why_not[q->answer_tf ? 1 : 0] ? q->why_not[q->answer_tf ? 1 : 0]
                                                   : q->explanation);
        sb_str(b, "#");
        sb_esc(b, q->explanation);
        break;
    case LESSON_Q_SHORT:
        for (size_t i = 0; i < q->n_accept; i++) {
            sb_str(b, "\n    =");
            sb_esc(b, q->accept[i]);
        }
        break;
    case LESSON_Q_MATCH:
        for (size_t i = 0; i < q->n_pairs; i++) {
            sb_str(b, "\n    =");
            sb_esc(b, q->left[i]);
            sb_str(b, " -> ");
            sb_esc(b, q->right[i]);
        }
        break;
    case LESSON_Q_ORDER:
        for (size_t i = 0; i < q->n_items; i++) {
            sb_fmt(b, "\n    =Position %zu -> ", i + 1);
            sb_esc(b, q->items[i]);
        }
        break;
    case LESSON_Q_PREDICT:
        if (q->n_choices) {
            choices(b, q, false);
        } else {
            bool code_listed = false;
            char code[8];
            snprintf(code, sizeof code, "%d", q->predict_code);
            for (size_t i = 0; i < q->n_accept; i++) {
                sb_str(b, "\n    =");
                sb_esc(b, q->accept[i]);
                code_listed = code_listed || !strcmp(q->accept[i], code);
            }
            if (q->predict_code && !code_listed) {
                sb_str(b, "\n    =");
                sb_str(b, code);
            }
        }
        break;
    }
    sb_str(b, "\n    ");
    general_feedback(b, q);
    sb_str(b, "\n}\n\n");
}

char *gift_export(const lesson *l, size_t *len)
{
    sbuf b = {0};
    sb_str(&b, "// smtpsim lesson '");
    sb_str(&b, l->id);
    sb_fmt(&b, "' version %d, %zu questions. GIFT format for Moodle.\n", l->version,
           l->n_questions);
    sb_str(&b, "// Ordering questions are exported as matching: \"Position N -> item\".\n");
    sb_str(&b, "// Choices are written in the lesson's order; Moodle shuffles them itself "
               "(\"Shuffle the\n// choices\" in the question, \"Shuffle within questions\" in "
               "the quiz: both on by default).\n\n");
    sb_str(&b, "$CATEGORY: $course$/smtpsim/");
    sb_str(&b, l->id);
    sb_str(&b, "\n\n");
    for (size_t i = 0; i < l->n_questions; i++)
        question(&b, &l->questions[i]);
    if (b.oom || !b.s) {
        free(b.s);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.s;
}
