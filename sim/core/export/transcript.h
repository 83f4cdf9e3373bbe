/* transcript.h - a world's steps as text a student can read, or as a JSON trace for tools.
 *
 * The text form keeps the steps in time order and cuts them into sections, each under a hop
 * header ("MUA alice-laptop -> MSA smtp.example.com:587"). A new section starts when the current
 * hop has nothing more to show or a new session connects; a step of another hop in the middle
 * of a section (parallel hops interleave) is printed in place with a short marker saying whose
 * it is ("[MTA->DNS]", "[MSA->MTA]"), so no hop header is repeated and no step is moved. Lines
 * are marked swaks-style: " -> " for what the client sends, "<-  " for what the server answers,
 * " ~> " / "<~  " once TLS protects the link, and "=== " for everything else (TLS started, DNS,
 * queue, delivery, checks). Each line starts with the step number (what --step and --at take)
 * and the virtual time. With `explain`, a one-line explanation (explain.h) follows each step;
 * with `color`, ANSI colours mark directions and reply classes.
 */
#ifndef TRANSCRIPT_H
#define TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/world/world.h"

/* Named limit: DATA content lines shown before "... (N more lines)". */
#define TRANSCRIPT_MAX_DATA_LINES 40

/* A line of a lesson's narration, shown under its step with `explain` (lesson.h). */
typedef struct {
    size_t step;
    const char *lesson; /* the lesson's title */
    const char *text;
} transcript_note;

typedef struct {
    bool explain; /* add an explanation line per step */
    bool color;   /* ANSI colours */
    const transcript_note *notes; /* with explain: narration lines, any order (may be NULL) */
    size_t n_notes;
} transcript_opts;

/* transcript_write - every step, with hop headers. 0, or -1 on a write error. */
int transcript_write(FILE *out, const world *w, const transcript_opts *o);

/* transcript_write_range - steps [first, last] (inclusive), a hop header before the first;
 * sections and markers as above, judged within the range. */
int transcript_write_range(FILE *out, const world *w, size_t first, size_t last,
                           const transcript_opts *o);

/* transcript_write_state - the state of every node after step `step` (SIZE_MAX: before the
 * first step): one line per node with its state, TLS, queue and mailbox counts. */
int transcript_write_state(FILE *out, const world *w, size_t step, const transcript_opts *o);

/* transcript_json - the whole trace as JSON text (malloc'd, caller frees), or NULL:
 * {"scenario": ID, "nodes": [...], "steps": [...], "mailboxes": [...]}. */
char *transcript_json(const world *w, const char *scenario_id, const char *title);

/* transcript_time - "0:01:00.040" for a virtual time in ms, into out (>= 24 bytes). */
const char *transcript_time(unsigned long long ms, char *out, size_t cap);

#endif
