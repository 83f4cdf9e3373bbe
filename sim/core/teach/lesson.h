/* lesson.h - lesson files: an introduction, an optional scenario, and questions of seven kinds.
 *
 * Loading validates everything (format: lessons/FORMAT.md) and never crashes on any input: a
 * syntax error is reported as "file:line:col: what" (json_load.h), a schema error with its path
 * ("file: questions[3].answer: choice 5 does not exist (4 choices)"). Validation goes on after
 * an error in one question, so `err` may hold several lines (at most LESSON_MAX_ERRORS), each
 * ending in '\n'.
 *
 * A loaded lesson is plain read-only data: the quiz engine (quiz.h), the window's quiz panel,
 * lint and the GIFT exporter all read the same structs.
 */
#ifndef LESSON_H
#define LESSON_H

#include <stdbool.h>
#include <stddef.h>

#define LESSON_MAX_FILE_BYTES (4 * 1024 * 1024) /* larger files are refused before parsing */
#define LESSON_MAX_QUESTIONS 500                /* per lesson */
#define LESSON_MAX_CHOICES 9                    /* keys 1-9 in the window */
#define LESSON_MAX_ITEMS 9                      /* order items, match pairs */
#define LESSON_MAX_ACCEPT 16                    /* accepted short answers */
#define LESSON_MAX_REFS 8
#define LESSON_MAX_TAGS 8
#define LESSON_MAX_TOPICS 16
#define LESSON_MAX_NARRATION 200
#define LESSON_MAX_ID 64     /* question id length; lesson ids at most 48 */
#define LESSON_MAX_TEXT 4000 /* prompt, explanation, intro, choice... in bytes */
#define LESSON_MAX_ERRORS 20 /* error lines collected by one load */

typedef enum {
    LESSON_Q_SINGLE,    /* one right choice */
    LESSON_Q_MULTI,     /* every right choice, all or nothing */
    LESSON_Q_TRUEFALSE, /* true or false */
    LESSON_Q_SHORT,     /* typed text, normalised, several accepted */
    LESSON_Q_ORDER,     /* put items in order */
    LESSON_Q_MATCH,     /* pair lefts with rights */
    LESSON_Q_PREDICT,   /* the reply code at a step of a scenario's run */
} lesson_kind;

struct lesson;

/* Where a predict question stops: the nth reply to `reply_to`, or an exact step. */
typedef struct {
    char *scenario; /* scenario id (the lesson's own when omitted in the file) */
    char *reply_to; /* upper-case verb, NULL when `step` is used */
    int nth;        /* 1-based */
    long step;      /* 0-based step index, -1 when reply_to is used */
} lesson_at;

typedef struct {
    char *id;
    lesson_kind kind;
    char *prompt;
    char *explanation;
    char *choices[LESSON_MAX_CHOICES]; /* single, multi, predict (optional) */
    size_t n_choices;
    char *why_not[LESSON_MAX_CHOICES]; /* per choice (truefalse: [true, false]); NULL entries */
    int answer;                        /* single / predict with choices: 1-based; else 0 */
    unsigned answer_mask;              /* multi: bit (i-1) set for right choice i */
    unsigned pin_mask;                 /* choices: bit (i-1) keeps choice i where it is written
                                          when the others are shuffled ("all of the above") */
    bool answer_tf;                    /* truefalse */
    char *accept[LESSON_MAX_ACCEPT];   /* short, predict without choices */
    size_t n_accept;
    char *items[LESSON_MAX_ITEMS]; /* order: the correct order */
    size_t n_items;
    char *left[LESSON_MAX_ITEMS]; /* match: correct pairs left[i] - right[i] */
    char *right[LESSON_MAX_ITEMS];
    size_t n_pairs;
    bool has_at; /* predict */
    lesson_at at;
    int predict_code; /* predict: the true reply code once known (0 unknown):
                         set from `accept` or the chosen choice at load time,
                         and overwritten by lesson_predict_resolve */
    char predict_status[48]; /* predict on a POP3/IMAP reply: its true status key
                                ("-ERR [AUTH]", "NO", "* 1 EXISTS"; see lesson_status.h),
                                "" for an SMTP reply; set like predict_code */
    char *refs[LESSON_MAX_REFS];
    size_t n_refs;
    char *tags[LESSON_MAX_TAGS]; /* the lesson's topics when the file gives none */
    size_t n_tags;
    int difficulty;              /* 1-3 */
    size_t index;                /* position in the lesson */
    const struct lesson *lesson; /* back pointer */
} lesson_question;

typedef struct {
    long step;
    char *text;
} lesson_narration;

typedef struct lesson {
    char *origin; /* the file name given to the loader */
    char *id;
    char *title;
    int version;
    char *topics[LESSON_MAX_TOPICS];
    size_t n_topics;
    char *intro;
    char *scenario; /* NULL when none */
    lesson_narration *narration;
    size_t n_narration;
    lesson_question *questions;
    size_t n_questions;
} lesson;

/* lesson_load - read and validate a file. NULL and err filled (one or more lines) on error. */
lesson *lesson_load(const char *path, char *err, size_t errlen);

/* lesson_load_buffer - the same from memory; `origin` names it in messages. */
lesson *lesson_load_buffer(const char *origin, const char *buf, size_t len, char *err,
                           size_t errlen);
void lesson_free(lesson *l);

/* lesson_find_question - by id, or NULL. */
const lesson_question *lesson_find_question(const lesson *l, const char *id);

/* lesson_kind_name - "single", "multi", ...; lesson_kind_parse: -1 when unknown. */
const char *lesson_kind_name(lesson_kind kind);
int lesson_kind_parse(const char *name);

/* lesson_question_topic - the topic a question counts under in reports: its first tag. */
const char *lesson_question_topic(const lesson_question *q);

/* lesson_normalise - copy `in` to out with spaces trimmed, runs of blanks collapsed to one space
 * and ASCII letters lower-cased (the rule for typed answers). Truncates to outlen - 1. */
void lesson_normalise(const char *in, char *out, size_t outlen);

/* lesson_reply_code - the reply code at the start of s ("550", "550 5.1.1 ...", "250, with"),
 * or 0 (also for four digits, "5500"). */
int lesson_reply_code(const char *s);

#endif
