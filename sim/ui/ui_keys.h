/* ui_keys.h - the window's keys: one table of (key, modifiers, action, help text).
 *
 * The window's key handling looks keys up here and the help overlay draws this same table, so
 * the help cannot list a key that does nothing, nor miss one that works. Consecutive rows
 * whose help is NULL share the help line of the row above ("Right, PageDown, N, Down").
 * A few rows only document input that is not a plain key (mouse gestures, the quiz panel's
 * answer keys): their key is SDLK_UNKNOWN and lookups never return them.
 */
#ifndef UI_KEYS_H
#define UI_KEYS_H

#include <SDL.h>
#include <stddef.h>

typedef enum {
    UI_KEY_NONE, /* not a key of the table */
    UI_KEY_PLAY,
    UI_KEY_NEXT,
    UI_KEY_BACK,
    UI_KEY_FIRST,
    UI_KEY_LAST,
    UI_KEY_FASTER,
    UI_KEY_SLOWER,
    UI_KEY_SPEED_NORMAL,
    UI_KEY_BYTES,
    UI_KEY_EAVES,
    UI_KEY_THEME,
    UI_KEY_SCENARIO,
    UI_KEY_QUIZ,
    UI_KEY_PREDICT, /* predict stops on / off */
    UI_KEY_STATS,   /* the statistics panel */
    UI_KEY_WHATIF,
    UI_KEY_SAVE_FORK,
    UI_KEY_FULLSCREEN,
    UI_KEY_ZOOM_IN,
    UI_KEY_ZOOM_OUT,
    UI_KEY_ZOOM_RESET,
    UI_KEY_SCREENSHOT,
    UI_KEY_HELP,
    UI_KEY_EXPAND,      /* all lines of the current multi-line reply in the transcript */
    UI_KEY_SCROLL_DOWN, /* the inspector (or the transcript) one row */
    UI_KEY_SCROLL_UP,
    UI_KEY_PAGE_DOWN,   /* a page */
    UI_KEY_PAGE_UP,
    UI_KEY_ESCAPE, /* close what is open; with nothing open, twice quits */
    UI_KEY_QUIT,
    UI_KEY_ACTION_COUNT
} ui_key_action;

/* Modifiers a row asks for. Shift and Alt are ignored unless a row asks for Shift. */
typedef enum {
    UI_KEYS_PLAIN, /* Ctrl not held */
    UI_KEYS_CTRL,  /* Ctrl held */
    UI_KEYS_SHIFT  /* Shift held, Ctrl not */
} ui_keys_mod;

typedef struct {
    SDL_Keycode key;  /* SDLK_UNKNOWN: documentation only (mouse, quiz panel) */
    ui_keys_mod mod;
    ui_key_action action;
    const char *label; /* the key as the help names it: "PageDown", "Ctrl +" */
    const char *help;  /* what it does; NULL: the same help line as the row above */
} ui_key;

/* ui_keys_count / ui_keys_at - the rows, in the help's order. */
int ui_keys_count(void);
const ui_key *ui_keys_at(int i);

/* ui_keys_action - what a key press does (mod: SDL's KMOD_* bits); UI_KEY_NONE if nothing.
 * A row asking for Ctrl or Shift wins over a plain row of the same key (Shift+Down scrolls,
 * Down steps). */
ui_key_action ui_keys_action(SDL_Keycode key, Uint16 mod);

/* ui_keys_help_line - the help line that starts at row *i: its keys joined with ", " (each
 * label once) into keys, its text in *help; *i moves to the next line. 0, or -1 after the
 * last line. */
int ui_keys_help_line(int *i, char *keys, size_t cap, const char **help);

/* ui_keys_help_lines - how many lines the help shows. */
int ui_keys_help_lines(void);

#endif
