/* svg_export.h - a world's run as an SVG sequence diagram, for slides and handouts.
 *
 * One lifeline per node, one arrow per command, reply, DNS question or answer, in time order;
 * local events (queueing, delivery, checks) are notes on their node's lifeline. Reply arrows are
 * coloured by class with a palette that stays distinct for colour-blind viewers (Okabe-Ito),
 * and each reply also carries its code as text, so colour is never the only cue. Spans of a
 * connection protected by TLS are drawn with a thick line and a "TLS" tag. Pure text output:
 * scales without blur, and parses as XML.
 */
#ifndef SVG_EXPORT_H
#define SVG_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "core/world.h"

#define SVG_EXPORT_MAX_LABEL 72 /* characters of a step's text shown on its arrow */

/* svg_export_world - write the diagram; title may be NULL. 0, or -1 with err filled. */
int svg_export_world(const world *w, const char *title, FILE *out, char *err, size_t errlen);

#endif
