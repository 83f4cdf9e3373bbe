/* gift.h - lessons as Moodle GIFT text, importable into a Moodle question bank as they are.
 *
 * Mapping (one GIFT question per lesson question, named ::ID::, in a $CATEGORY per lesson):
 *   single            multiple choice, one =right, ~wrong with the why_not as #feedback
 *   multi             multiple choice with weights: each right choice ~%100/k%, each wrong ~%-100%
 *   truefalse         {TRUE#wrong-answer feedback#right-answer feedback}
 *   short             short answer, every accepted answer as =answer (Moodle ignores case)
 *   match             matching {=left -> right ...}
 *   order             matching too (GIFT has no ordering type): "Position N -> item"
 *   predict           with choices: multiple choice; without: short answer, the reply code
 * The explanation and the references become the general feedback (####). Text is escaped
 * for GIFT: the characters ~ = # { } : and \ get a backslash, a newline becomes \n.
 * Choices keep the lesson's order: Moodle shuffles answers itself (the question's "Shuffle the
 * choices" and the quiz's "Shuffle within questions", both on by default), and the header says
 * so; a question with a pinned choice gets a comment asking to turn shuffling off for it.
 */
#ifndef GIFT_H
#define GIFT_H

#include <stddef.h>

#include "core/teach/lesson.h"

/* gift_export - the whole lesson as GIFT text (malloc'd, NUL-terminated), NULL if out of
 * memory. *len (if not NULL) gets the length. */
char *gift_export(const lesson *l, size_t *len);

/* gift_escape - escape one piece of text into out (truncated to outlen - 1); returns the length
 * the whole escaped text needs. */
size_t gift_escape(const char *in, char *out, size_t outlen);

#endif
