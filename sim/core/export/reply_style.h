/* reply_style.h - how every view tells the reply classes apart: one row per class (RFC 5321
 * 4.2.1: the first digit) with its word, its shape and its colour.
 *
 * The window (ui_theme, ui_gfx_reply_shape), the PNG sequence diagram (ui_seqdiag) and the SVG
 * export (svg_export) all read this table, so a legend can never name a colour that the arrows
 * do not use. Colours are the Okabe-Ito palette (safe for the common forms of colour blindness);
 * the shape and the word make sure colour is never the only cue.
 */
#ifndef REPLY_STYLE_H
#define REPLY_STYLE_H

#include "core/world/world.h"

typedef enum {
    REPLY_STYLE_NONE = -1,
    REPLY_STYLE_2XX = 0, /* success */
    REPLY_STYLE_3XX,     /* go on, send more */
    REPLY_STYLE_4XX,     /* temporary failure, try later */
    REPLY_STYLE_5XX,     /* permanent failure */
    REPLY_STYLE_CLASSES
} reply_style_class;

/* DNS questions and answers are not replies, but every view draws them in this colour too. */
#define REPLY_STYLE_DNS_HEX "#56B4E9" /* sky blue */

typedef enum {
    REPLY_SHAPE_CIRCLE,   /* with a tick */
    REPLY_SHAPE_TRIANGLE, /* pointing on */
    REPLY_SHAPE_DIAMOND,  /* with a pause sign */
    REPLY_SHAPE_SQUARE    /* with a cross */
} reply_style_shape;

typedef struct {
    reply_style_class cls;
    const char *word;       /* "success": what the window and the legends say */
    const char *colour_name; /* "blue": for legends written in words */
    reply_style_shape shape;
    const char *shape_name; /* "circle" */
    const char *hex;        /* "#RRGGBB", on the light (default) background */
    const char *mark_hex;   /* the tick, pause or cross drawn on the shape */
} reply_style;

/* reply_style_class_of - the class of a reply code; REPLY_STYLE_NONE when not 200-599. */
reply_style_class reply_style_class_of(int code);

/* reply_style_class_of_step - the class of a reply step: its SMTP code, or its POP3/IMAP status
 * word (world_step_reply_class); REPLY_STYLE_NONE for a step that is not a reply. */
reply_style_class reply_style_class_of_step(const world_step *s);

/* reply_style_get - the row of a class, NULL for REPLY_STYLE_NONE or out of range. */
const reply_style *reply_style_get(reply_style_class cls);

/* reply_style_hex - the class colour as "#RRGGBB"; "#333333" (the ink) for NONE. */
const char *reply_style_hex(reply_style_class cls);

/* reply_style_rgb - a "#RRGGBB" colour as 0xRRGGBB (0 when malformed). */
unsigned reply_style_rgb(const char *hex);

#endif
