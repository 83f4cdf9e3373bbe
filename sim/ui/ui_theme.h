/* ui_theme.h - colour themes for the window: default (light, for screens and projectors),
 * presenter (large type, maximum contrast, thick lines), and dark.
 *
 * Reply classes use the Okabe-Ito palette (safe for the common forms of colour blindness and
 * still distinct on a washed-out projector), and every class also has a shape and a word
 * (ui_theme_reply_label), so colour is never the only cue.
 */
#ifndef UI_THEME_H
#define UI_THEME_H

#include <SDL.h>

#include "core/world/world.h"

/* Reply classes (RFC 5321 4.2.1: the first digit). */
typedef enum {
    UI_REPLY_NONE = -1,
    UI_REPLY_2XX = 0, /* success: filled circle */
    UI_REPLY_3XX,     /* go on, send more: triangle pointing on */
    UI_REPLY_4XX,     /* temporary failure, try later: diamond */
    UI_REPLY_5XX,     /* permanent failure: square */
    UI_REPLY_CLASSES
} ui_reply_class;

typedef struct {
    const char *name;       /* "default", "presenter", "dark" */
    float type_scale;       /* multiplies every font size */
    float line_scale;       /* multiplies line widths */
    SDL_Color bg;           /* window background */
    SDL_Color panel;        /* panel background */
    SDL_Color panel_border;
    SDL_Color text;         /* main text */
    SDL_Color text_dim;     /* secondary text */
    SDL_Color title;        /* headings */
    SDL_Color highlight;    /* current transcript line background */
    SDL_Color highlight_text;
    SDL_Color node_fill;
    SDL_Color node_border;
    SDL_Color node_active;  /* border of a node taking part in the current step */
    SDL_Color link;
    SDL_Color link_tls;     /* a link protected by TLS */
    SDL_Color client;       /* client lines (commands) in the transcript */
    SDL_Color server;       /* server lines (replies) */
    SDL_Color command;      /* command token fill */
    SDL_Color command_text;
    SDL_Color dns;          /* DNS token fill */
    SDL_Color dns_text;
    SDL_Color tls_record;   /* eavesdropper view of a TLS record */
    SDL_Color tls_record_text;
    SDL_Color button;
    SDL_Color button_text;
    SDL_Color button_on;    /* a toggled button */
    SDL_Color button_on_text;
    SDL_Color overlay;      /* dimming behind overlays (with alpha) */
    SDL_Color reply[UI_REPLY_CLASSES];
    SDL_Color reply_text[UI_REPLY_CLASSES];
} ui_theme;

/* ui_theme_get - the theme with this name, or NULL. */
const ui_theme *ui_theme_get(const char *name);

/* ui_theme_next - the next theme in the cycle default -> presenter -> dark -> default. */
const ui_theme *ui_theme_next(const ui_theme *t);

/* ui_theme_names - "default, presenter, dark" for usage messages. */
const char *ui_theme_names(void);

/* ui_theme_reply_class - class of a reply code, UI_REPLY_NONE when not 200-599. */
ui_reply_class ui_theme_reply_class(int code);
/* ui_theme_step_class - class of a reply step: its SMTP code or its POP3/IMAP status word
 * (world_step_reply_class); UI_REPLY_NONE for other steps. */
ui_reply_class ui_theme_step_class(const world_step *st);

/* ui_theme_reply_label - "success", "continue", "try later", "failed"; "" for NONE. */
const char *ui_theme_reply_label(ui_reply_class c);

#endif
