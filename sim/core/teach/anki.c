/* anki.c - lessons as Anki CSV (see anki.h). Built in membufs, as the GIFT export is. */
#include "core/teach/anki.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/quiz.h"
#include "core/util/membuf.h"

void anki_quote(membuf *b, const char *s)
{
    membuf_puts(b, "\"");
    for (; s && *s; s++) {
        if (*s == '"')
            membuf_puts(b, "\"");
        membuf_append(b, s, 1);
    }
    membuf_puts(b, "\"");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted_list - "\n- x" for each string in v, in byte order (never the answer's order). */
static void sorted_list(membuf *b, char *const *v, size_t n)
{
    char *s[LESSON_MAX_ITEMS];
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_str);
    for (size_t i = 0; i < n; i++)
        membuf_printf(b, "\n- %s", s[i]);
}

/* front - the prompt and what the student chooses from. */
static void front(membuf *b, const lesson_question *q)
{
    membuf_puts(b, q->prompt);
    switch (q->kind) {
    case LESSON_Q_SINGLE:
    case LESSON_Q_MULTI:
    case LESSON_Q_PREDICT:
        for (size_t i = 0; i < q->n_choices; i++)
            membuf_printf(b, "\n%zu. %s", i + 1, q->choices[i]);
        if (q->kind == LESSON_Q_MULTI)
            membuf_puts(b, "\n(all that apply)");
        break;
    case LESSON_Q_TRUEFALSE:
        membuf_puts(b, "\n(true or false?)");
        break;
    case LESSON_Q_ORDER:
        membuf_puts(b, "\nPut in order:");
        sorted_list(b, q->items, q->n_items);
        break;
    case LESSON_Q_MATCH:
        membuf_puts(b, "\nMatch each of:");
        sorted_list(b, q->left, q->n_pairs);
        membuf_puts(b, "\nwith one of:");
        sorted_list(b, q->right, q->n_pairs);
        break;
    case LESSON_Q_SHORT:
        break;
    }
}

/* tag - a tag with spaces made '_', then one space. */
static void tag(membuf *b, const char *t)
{
    for (; *t; t++) {
        char ch = *t == ' ' || *t == '\t' || *t == '"' ? '_' : *t;
        membuf_append(b, &ch, 1);
    }
    membuf_puts(b, " ");
}

char *anki_export(const lesson *l, size_t *len)
{
    membuf out, fr, back, tags;
    membuf_init(&out);
    membuf_init(&fr);
    membuf_init(&back);
    membuf_init(&tags);
    membuf_puts(&out, "#separator:Comma\n#html:false\n#columns:Front,Back,Tags\n#tags column:3\n");
    for (size_t i = 0; i < l->n_questions; i++) {
        const lesson_question *q = &l->questions[i];
        membuf_clear(&fr);
        membuf_clear(&back);
        membuf_clear(&tags);
        /* the answer spelled as the quiz spells it: one place knows how */
        quiz_answer none;
        quiz_feedback fb;
        memset(&none, 0, sizeof none);
        quiz_grade(q, NULL, &none, &fb);
        front(&fr, q);
        membuf_printf(&back, "%s\n\n%s", fb.right, q->explanation);
        for (size_t r = 0; r < q->n_refs; r++)
            membuf_printf(&back, "%s%s", r ? ", " : "\n\nSee: ", q->refs[r]);
        tag(&tags, l->id);
        for (size_t t = 0; t < q->n_tags; t++)
            tag(&tags, q->tags[t]);
        if (tags.len && tags.data[tags.len - 1] == ' ')
            tags.data[--tags.len] = '\0';
        anki_quote(&out, fr.data);
        membuf_puts(&out, ",");
        anki_quote(&out, back.data);
        membuf_puts(&out, ",");
        anki_quote(&out, tags.data);
        membuf_puts(&out, "\n");
    }
    bool bad = fr.failed || back.failed || tags.failed || out.failed || !out.data;
    membuf_free(&fr);
    membuf_free(&back);
    membuf_free(&tags);
    if (bad) {
        membuf_free(&out);
        return NULL;
    }
    if (len)
        *len = out.len;
    return out.data;
}
