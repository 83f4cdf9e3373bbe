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
    /* short lines: the window's panel is narrow on a projector (about 40 columns) */
    LINE("Questions: %zu (%zu answered, %zu new)", s->questions, s->seen, s->boxes[0]);
    LINE("Due now: %zu, by end of day (UTC): %zu", s->due_now, s->due_today);
    char boxes[STATS_LINE] = "";
    size_t len = 0;
    for (int b = 1; b <= PROGRESS_BOXES && len < sizeof boxes; b++)
        len += (size_t)snprintf(boxes + len, sizeof boxes - len, " %zu", s->boxes[b]);
    LINE("Boxes 1-%d:%s (%d: learnt)", PROGRESS_BOXES, boxes, PROGRESS_BOXES);
    LINE("Answers right: %zu of %zu (%u%%)", s->right, s->answers, pct(s->right, s->answers));
    LINE("%-15s %-12s %s", "Topic", "right", "seen");
    for (size_t i = 0; i < s->n_topics; i++) {
        const stats_topic *t = &s->topics[i];
        char right[32] = "-";
        if (t->answers)
            snprintf(right, sizeof right, "%zu/%zu %u%%", t->right, t->answers,
                     pct(t->right, t->answers));
        LINE("%-15.15s %-12s %zu/%zu", t->topic, right, t->seen, t->questions);
    }
#undef LINE
    return n;
}
