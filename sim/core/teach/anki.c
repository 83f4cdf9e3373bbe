/* anki.c - lessons as Anki CSV (see anki.h). */
#include "core/teach/anki.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/teach/quiz.h"

void anki_quote(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted_list - "\n- x" for each string in v, in byte order (never the answer's order). */
static void sorted_list(FILE *f, char *const *v, size_t n)
{
    char *s[LESSON_MAX_ITEMS];
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_str);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "\n- %s", s[i]);
}

/* front - the prompt and what the student chooses from. */
static void front(FILE *f, const lesson_question *q)
{
    fputs(q->prompt, f);
    switch (q->kind) {
    case LESSON_Q_SINGLE:
    case LESSON_Q_MULTI:
    case LESSON_Q_PREDICT:
        for (size_t i = 0; i < q->n_choices; i++)
            fprintf(f, "\n%zu. %s", i + 1, q->choices[i]);
        if (q->kind == LESSON_Q_MULTI)
            fputs("\n(all that apply)", f);
        break;
    case LESSON_Q_TRUEFALSE:
        fputs("\n(true or false?)", f);
        break;
    case LESSON_Q_ORDER:
        fputs("\nPut in order:", f);
        sorted_list(f, q->items, q->n_items);
        break;
    case LESSON_Q_MATCH:
        fputs("\nMatch each of:", f);
        sorted_list(f, q->left, q->n_pairs);
        fputs("\nwith one of:", f);
        sorted_list(f, q->right, q->n_pairs);
        break;
    case LESSON_Q_SHORT:
        break;
    }
}

/* tag - a tag with spaces made '_', then one space. */
static void tag(FILE *f, const char *t)
{
    for (; *t; t++)
        fputc(*t == ' ' || *t == '\t' || *t == '"' ? '_' : *t, f);
    fputc(' ', f);
}

char *anki_export(const lesson *l, size_t *len)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    fputs("#separator:Comma\n#html:false\n#columns:Front,Back,Tags\n#tags column:3\n", f);
    for (size_t i = 0; i < l->n_questions; i++) {
        const lesson_question *q = &l->questions[i];
        char *back = NULL, *tags = NULL, *fr = NULL;
        size_t bl = 0, tl = 0, fl = 0;
        FILE *ff = open_memstream(&fr, &fl), *bf = open_memstream(&back, &bl),
             *tf = open_memstream(&tags, &tl);
        if (ff && bf && tf) {
            /* the answer spelled as the quiz spells it: one place knows how */
            quiz_answer none;
            quiz_feedback fb;
            memset(&none, 0, sizeof none);
            quiz_grade(q, NULL, &none, &fb);
            front(ff, q);
            fprintf(bf, "%s\n\n%s", fb.right, q->explanation);
            for (size_t r = 0; r < q->n_refs; r++)
                fprintf(bf, "%s%s", r ? ", " : "\n\nSee: ", q->refs[r]);
            tag(tf, l->id);
            for (size_t t = 0; t < q->n_tags; t++)
                tag(tf, q->tags[t]);
        }
        /* every stream is closed, whatever the others did */
        bool bad = !ff || !bf || !tf;
        FILE *streams[] = {ff, bf, tf};
        for (size_t k = 0; k < 3; k++)
            if (streams[k] && fclose(streams[k]) != 0)
                bad = true;
        if (!bad) {
            if (tl && tags[tl - 1] == ' ')
                tags[--tl] = '\0';
            anki_quote(f, fr);
            fputc(',', f);
            anki_quote(f, back);
            fputc(',', f);
            anki_quote(f, tags);
            fputc('\n', f);
        }
        free(fr);
        free(back);
        free(tags);
        if (bad) {
            fclose(f);
            free(text);
            return NULL;
        }
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    if (len)
        *len = size;
    return text;
}
