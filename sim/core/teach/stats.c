/* stats.c - progress statistics over lessons (see stats.h). */
#include "core/teach/stats.h"

#include <stdio.h>
#include <string.h>

/* end_of_day - the last second of the UTC day that holds t. */
static int64_t end_of_day(int64_t t)
{
    int64_t day = t >= 0 ? t / PROGRESS_DAY : (t - PROGRESS_DAY + 1) / PROGRESS_DAY;
    return (day + 1) * PROGRESS_DAY - 1;
}

/* topic_slot - the entry for topic in s, added when new; NULL when the table is full. */
static stats_topic *topic_slot(stats *s, const char *topic)
{
    for (size_t i = 0; i < s->n_topics; i++)
        if (!strcmp(s->topics[i].topic, topic))
            return &s->topics[i];
    if (s->n_topics == STATS_MAX_TOPICS)
        return NULL;
    stats_topic *t = &s->topics[s->n_topics++];
    t->topic = topic;
    return t;
}

void stats_compute(const lesson *const *lessons, size_t n, const progress *p, int64_t now,
                   stats *s)
{
    memset(s, 0, sizeof *s);
    s->now = now;
    int64_t eod = end_of_day(now);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; lessons[i] && k < lessons[i]->n_questions; k++) {
            const lesson_question *q = &lessons[i]->questions[k];
            const progress_entry *e = p ? progress_get(p, q->id) : NULL;
            stats_topic *t = topic_slot(s, lesson_question_topic(q));
            s->questions++;
            if (t)
                t->questions++;
            if (!e || e->seen == 0) {
                s->boxes[0]++;
                continue;
            }
            s->seen++;
            s->boxes[e->box >= 1 && e->box <= PROGRESS_BOXES ? e->box : 1]++;
            s->due_now += e->due <= now;
            s->due_today += e->due <= eod;
            s->answers += e->seen;
            s->right += e->right;
            if (t) {
                t->seen++;
                t->answers += e->seen;
                t->right += e->right;
            }
        }
}

/* pct - a whole percentage, 0 when there is nothing to divide. */
static unsigned pct(size_t part, size_t whole)
{
    return whole ? (unsigned)(part * 100 / whole) : 0;
}

size_t stats_lines(const stats *s, char (*lines)[STATS_LINE], size_t cap)
{
    size_t n = 0;
#define LINE(...) (n < cap ? (void)snprintf(lines[n++], STATS_LINE, __VA_ARGS__) : (void)0)
    LINE("Questions: %zu, answered at least once: %zu, never answered: %zu", s->questions,
         s->seen, s->boxes[0]);
    LINE("Due now: %zu; due by the end of today (UTC): %zu", s->due_now, s->due_today);
    char boxes[STATS_LINE] = "";
    size_t len = 0;
    for (int b = 1; b <= PROGRESS_BOXES && len < sizeof boxes; b++)
        len += (size_t)snprintf(boxes + len, sizeof boxes - len, "%s%d: %zu", b > 1 ? ", " : "",
                                b, s->boxes[b]);
    LINE("Leitner boxes (1 shaky .. %d well learnt): %s", PROGRESS_BOXES, boxes);
    LINE("Accuracy: %zu of %zu answers right (%u%%)", s->right, s->answers,
         pct(s->right, s->answers));
    LINE("%s", "By topic (right answers / answers, questions seen / questions):");
    for (size_t i = 0; i < s->n_topics; i++) {
        const stats_topic *t = &s->topics[i];
        if (t->answers)
            LINE("  %-24s %4zu/%-4zu %3u%%   %zu/%zu seen", t->topic, t->right, t->answers,
                 pct(t->right, t->answers), t->seen, t->questions);
        else
            LINE("  %-24s    -        -    0/%zu seen", t->topic, t->questions);
    }
#undef LINE
    return n;
}
