/* progress.h - what a learner knows: one record per question id, kept in a JSON file.
 *
 * Scheduling is by Leitner boxes (PROGRESS_BOXES of them): a right answer moves a question up
 * one box, a wrong one sends it back to box 1; a question is due again PROGRESS_INTERVAL days
 * after its last answer, by box (box 1: at once, then 1, 3, 7, 21 days). Time is passed in as
 * Unix seconds: this module never reads the clock.
 *
 * The file is written atomically (temporary file in the same directory, fsync, rename, fsync of
 * the directory), so a crash leaves the old file or the new one, never a mix. A damaged file is
 * never silently reset: loading reports it and moves it aside to `FILE.broken-N`. A file from a
 * newer format version is refused and left alone.
 *
 * File format (version 1):
 *   {"version": 1, "questions": {"ports-001": {"box": 2, "due": 1764400000, "last": 1764313600,
 *                                               "ok": true, "seen": 3, "right": 2}, ...}}
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRESS_VERSION 1
#define PROGRESS_BOXES 5
#define PROGRESS_MAX_FILE_BYTES (4 * 1024 * 1024)
#define PROGRESS_MAX_ENTRIES 100000
#define PROGRESS_MAX_BROKEN 1000 /* FILE.broken-1 .. -1000 */
#define PROGRESS_DAY (24 * 60 * 60)

typedef struct {
    char id[65];    /* question id */
    int box;        /* 1..PROGRESS_BOXES */
    int64_t due;    /* Unix seconds: asked again from then on */
    int64_t last;   /* Unix seconds of the last answer */
    bool last_ok;   /* the last answer was right */
    unsigned seen;  /* answers given */
    unsigned right; /* right answers given */
} progress_entry;

typedef struct progress progress;

typedef enum {
    PROGRESS_LOADED,  /* read the file */
    PROGRESS_NEW,     /* no file yet: empty progress */
    PROGRESS_DAMAGED, /* the file was damaged: moved aside (err says where), empty progress */
    PROGRESS_ERROR,   /* cannot read, or cannot move a damaged file aside: no progress returned */
} progress_status;

progress *progress_new(void);
void progress_free(progress *p);

/* progress_load - read `path` into *out. On PROGRESS_DAMAGED err holds the message to show
 * ("progress.json:3:7: ...; kept as progress.json.broken-1, starting afresh"); on
 * PROGRESS_ERROR *out is NULL and err says why. */
progress_status progress_load(const char *path, progress **out, char *err, size_t errlen);

/* progress_read - read `path` for a report (stats): PROGRESS_LOADED, PROGRESS_NEW (no file:
 * empty progress) or PROGRESS_ERROR (*out NULL, err says why). Never writes: a damaged file is
 * an error here and stays where it is (progress_load moves it aside when the quiz starts). */
progress_status progress_read(const char *path, progress **out, char *err, size_t errlen);

/* progress_load_buffer - parse bytes (no file handling). NULL and err on any problem. */
progress *progress_load_buffer(const char *origin, const char *buf, size_t len, char *err,
                               size_t errlen);

/* progress_save - write atomically; missing directories are created (mode 0700), the file
 * is mode 0600. 0, or -1 with "cannot save progress to PATH: why" in err. */
int progress_save(const progress *p, const char *path, char *err, size_t errlen);

/* progress_check_writable - whether progress can be saved to `path`: create its directories,
 * then create, write, fsync and remove a probe file next to it, as a save would. Called before
 * the first question, so a learner never answers into a file that cannot be written. 0, or -1
 * with "cannot keep progress in PATH: what (reason)" in err. */
int progress_check_writable(const char *path, char *err, size_t errlen);

/* progress_get - the record of a question, or NULL when never answered. */
const progress_entry *progress_get(const progress *p, const char *id);
size_t progress_count(const progress *p);
const progress_entry *progress_at(const progress *p, size_t i);

/* progress_record - the Leitner rule: right moves up a box (new questions start in box 1, so a
 * first right answer lands in box 2), wrong goes to box 1; due = now + interval(box). */
void progress_record(progress *p, const char *id, bool right, int64_t now);

/* progress_interval - seconds until a question in `box` is due again. */
int64_t progress_interval(int box);

/* progress_is_due - never answered, or due <= now. */
bool progress_is_due(const progress *p, const char *id, int64_t now);

#endif
