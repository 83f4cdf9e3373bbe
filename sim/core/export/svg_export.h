/* svg_export.h - a world's run as an SVG sequence diagram, for slides and handouts.
 *
 * One lifeline per node, one arrow per command, reply, DNS question or answer, in time order;
 * local events (queueing, delivery, checks) are notes on their node's lifeline. Reply arrows are
 * coloured by class and marked with the class's shape, both from the table the window uses
 * (reply_style.h), and each reply also carries its code as text, so colour is never the only
 * cue. Spans of a
 * connection protected by TLS are drawn with a thick line and a "TLS" tag. Pure text output:
 * scales without blur, and parses as XML.
 */
#ifndef SVG_EXPORT_H
#define SVG_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "core/world/world.h"

#define SVG_EXPORT_MAX_LABEL 72 /* characters of a step's text shown on its arrow */

/* The diagram's geometry, in SVG user units; the PNG renderer (ui_seqdiag) draws the same. */
#define SVG_EXPORT_COL_W 190 /* distance between lifelines */
#define SVG_EXPORT_ROW_H 24  /* height of one step */
#define SVG_EXPORT_TOP 96    /* y of the first step */
#define SVG_EXPORT_MARGIN 40
#define SVG_EXPORT_MIN_W 1000 /* room for the legend when there are few lifelines */
#define SVG_EXPORT_SHAPE 11     /* a reply class's shape before its label and in the legend */
#define SVG_EXPORT_LEGEND_W 215 /* one class in the legend: "4xx try later (reddish purple)" */
#define SVG_EXPORT_LEGEND_X 54  /* the legend's entries start this far right of the margin */

/* svg_export_step_colour - "#RRGGBB" for a step: reply class, DNS, refusal, or plain. */
const char *svg_export_step_colour(const world_step *s);

/* svg_export_world - write the diagram; title may be NULL. 0, or -1 with err filled. */
int svg_export_world(const world *w, const char *title, FILE *out, char *err, size_t errlen);

#endif
