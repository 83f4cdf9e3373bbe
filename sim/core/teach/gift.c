/* gift.c - Moodle GIFT export of a lesson (the mapping is described in gift.h). */
#include "core/teach/gift.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/membuf.h"

/* put_escaped - text with GIFT's special characters escaped. */
static void put_escaped(membuf *b, const char *s)
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
            membuf_append(b, "\\", 1);
            membuf_append(b, s, 1);
            break;
        case '\n':
            membuf_append(b, "\\n", 2);
            break;
        case '\r':
            break;
        default:
            membuf_append(b, s, 1);
        }
    }
}

size_t gift_escape(const char *in, char *out, size_t outlen)
{
    membuf b;
    membuf_init(&b);
    put_escaped(&b, in);
    size_t need = b.len;
    if (outlen) {
        size_t n = need < outlen - 1 ? need : outlen - 1;
        if (b.data)
            memcpy(out, b.data, n);
        out[n] = '\0';
    }
    membuf_free(&b);
    return need;
}

/* Moodle accepts only certain grade fractions; 100/k for k = 1..9 as it spells them. */
static const char *const share[LESSON_MAX_CHOICES + 1] = {
    "0", "100", "50", "33.33333", "25", "20", "16.66667", "14.28571", "12.5", "11.11111"};

static void general_feedback(membuf *b, const lesson_question *q)
{
    membuf_puts(b, "####");
    put_escaped(b, q->explanation);
    if (q->n_refs) {
        put_escaped(b, "\nReferences: ");
        for (size_t i = 0; i < q->n_refs; i++) {
            if (i)
                membuf_puts(b, "; ");
            put_escaped(b, q->refs[i]);
        }
    }
}

static void choices(membuf *b, const lesson_question *q, bool multi)
{
    int k = __builtin_popcount(q->answer_mask);
    for (size_t i = 0; i < q->n_choices; i++) {
        bool right = multi ? (q->answer_mask >> i) & 1u : (int)i + 1 == q->answer;
        membuf_puts(b, "\n    ");
        if (!multi)
            membuf_puts(b, right ? "=" : "~");
        else
            membuf_printf(b, "~%%%s%%", right ? share[k] : "-100");
        put_escaped(b, q->choices[i]);
        if (q->why_not[i]) {
            membuf_puts(b, " #");
            put_escaped(b, q->why_not[i]);
        }
    }
}

static void question(membuf *b, const lesson_question *q)
{
    membuf_printf(b, "// %s (%s, difficulty %d)\n", q->id, lesson_kind_name(q->kind),
                  q->difficulty);
    if (q->pin_mask) /* GIFT cannot pin one answer: say so where a teacher will look */
        membuf_puts(b, "// A choice here must keep its place: turn off \"Shuffle the choices\" "
                       "for this question in Moodle.\n");
    membuf_puts(b, "::");
    put_escaped(b, q->id);
    membuf_puts(b, "::[plain]");
    put_escaped(b, q->prompt);
    if (q->kind == LESSON_Q_ORDER) {
        put_escaped(b, " (Give each position its item.)");
    }
    membuf_puts(b, " {");
    switch (q->kind) {
    case LESSON_Q_SINGLE:
        choices(b, q, false);
        break;
    case LESSON_Q_MULTI:
        choices(b, q, true);
        break;
    case LESSON_Q_TRUEFALSE:
        /* {TRUE#shown to a wrong answer#shown to a right answer} */
        membuf_puts(b, q->answer_tf ? "TRUE#" : "FALSE#");
        put_escaped(b, q->why_not[q->answer_tf ? 1 : 0] ? q->why_not[q->answer_tf ? 1 : 0]
                                                   : q->explanation);
        membuf_puts(b, "#");
        put_escaped(b, q->explanation);
        break;
    case LESSON_Q_SHORT:
        for (size_t i = 0; i < q->n_accept; i++) {
            membuf_puts(b, "\n    =");
            put_escaped(b, q->accept[i]);
        }
        break;
    case LESSON_Q_MATCH:
        for (size_t i = 0; i < q->n_pairs; i++) {
            membuf_puts(b, "\n    =");
            put_escaped(b, q->left[i]);
            membuf_puts(b, " -> ");
            put_escaped(b, q->right[i]);
        }
        break;
    case LESSON_Q_ORDER:
        for (size_t i = 0; i < q->n_items; i++) {
            membuf_printf(b, "\n    =Position %zu -> ", i + 1);
            put_escaped(b, q->items[i]);
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
                membuf_puts(b, "\n    =");
                put_escaped(b, q->accept[i]);
                code_listed = code_listed || !strcmp(q->accept[i], code);
            }
            if (q->predict_code && !code_listed) {
                membuf_puts(b, "\n    =");
                membuf_puts(b, code);
            }
        }
        break;
    }
    membuf_puts(b, "\n    ");
    general_feedback(b, q);
    membuf_puts(b, "\n}\n\n");
}

char *gift_export(const lesson *l, size_t *len)
{
    membuf b;
    membuf_init(&b);
    membuf_puts(&b, "// smtpsim lesson '");
    membuf_puts(&b, l->id);
    membuf_printf(&b, "' version %d, %zu questions. GIFT format for Moodle.\n", l->version,
           l->n_questions);
    membuf_puts(&b, "// Ordering questions are exported as matching: \"Position N -> item\".\n");
    membuf_puts(&b, "// Choices are written in the lesson's order; Moodle shuffles them itself "
                    "(\"Shuffle the\n// choices\" in the question, \"Shuffle within questions\" "
                    "in the quiz: both on by default).\n\n");
    membuf_puts(&b, "$CATEGORY: $course$/smtpsim/");
    membuf_puts(&b, l->id);
    membuf_puts(&b, "\n\n");
    for (size_t i = 0; i < l->n_questions; i++)
        question(&b, &l->questions[i]);
    if (b.failed || !b.data) {
        membuf_free(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.data;
}
