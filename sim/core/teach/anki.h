/* anki.h - a lesson as CSV for Anki's "Import File": one note a question, fields Front, Back,
 * Tags.
 *
 * The file starts with Anki's header lines (#separator:Comma, #html:false, #columns, #tags
 * column), so Anki maps the columns without asking. Every field is quoted, a '"' inside is
 * doubled (RFC 4180), and line breaks stay inside the quotes. Front: the prompt and, for choice
 * questions, the choices as written (order and match items sorted, so the front never shows
 * the answer). Back: the right answer spelled out as the quiz spells it, the explanation and
 * the references. Tags: the lesson id and the question's tags, spaces made '_' (Anki splits
 * tags at spaces).
 */
#ifndef ANKI_H
#define ANKI_H

#include <stddef.h>

#include "core/teach/lesson.h"
#include "core/util/membuf.h"

/* anki_export - the lesson as CSV text (malloc'd, NUL-terminated), NULL if out of memory.
 * *len (if not NULL) gets the length. */
char *anki_export(const lesson *l, size_t *len);

/* anki_quote - append s to b as one quoted CSV field. */
void anki_quote(membuf *b, const char *s);

#endif
