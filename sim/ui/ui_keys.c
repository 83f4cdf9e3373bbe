/* ui_keys.c - the key table (see ui_keys.h). */
#include "ui/ui_keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The order is the help's order. Several keys may do one thing (presentation clickers send
 * PageDown, '=' is '+' without Shift), and one help line may cover several actions. */
static const ui_key keys[] = {
    {SDLK_SPACE, UI_KEYS_PLAIN, UI_KEY_PLAY, "Space", "play / pause"},
    {SDLK_RIGHT, UI_KEYS_PLAIN, UI_KEY_NEXT, "Right",
     "next step (presentation clickers send PageDown)"},
    {SDLK_PAGEDOWN, UI_KEYS_PLAIN, UI_KEY_NEXT, "PageDown", NULL},
    {SDLK_n, UI_KEYS_PLAIN, UI_KEY_NEXT, "N", NULL},
    {SDLK_DOWN, UI_KEYS_PLAIN, UI_KEY_NEXT, "Down", NULL},
    {SDLK_LEFT, UI_KEYS_PLAIN, UI_KEY_BACK, "Left", "previous step"},
    {SDLK_PAGEUP, UI_KEYS_PLAIN, UI_KEY_BACK, "PageUp", NULL},
    {SDLK_p, UI_KEYS_PLAIN, UI_KEY_BACK, "P", NULL},
    {SDLK_UP, UI_KEYS_PLAIN, UI_KEY_BACK, "Up", NULL},
    {SDLK_HOME, UI_KEYS_PLAIN, UI_KEY_FIRST, "Home", "first / last step"},
    {SDLK_END, UI_KEYS_PLAIN, UI_KEY_LAST, "End", NULL},
    {SDLK_PLUS, UI_KEYS_PLAIN, UI_KEY_FASTER, "+", "faster / slower (0: normal speed)"},
    {SDLK_EQUALS, UI_KEYS_PLAIN, UI_KEY_FASTER, "+", NULL},
    {SDLK_KP_PLUS, UI_KEYS_PLAIN, UI_KEY_FASTER, "+", NULL},
    {SDLK_MINUS, UI_KEYS_PLAIN, UI_KEY_SLOWER, "-", NULL},
    {SDLK_KP_MINUS, UI_KEYS_PLAIN, UI_KEY_SLOWER, "-", NULL},
    {SDLK_0, UI_KEYS_PLAIN, UI_KEY_SPEED_NORMAL, "0", NULL},
    {SDLK_UNKNOWN, UI_KEYS_PLAIN, UI_KEY_NONE, "Click or drag timeline", "jump to a step"},
    {SDLK_UNKNOWN, UI_KEYS_PLAIN, UI_KEY_NONE, "Click a token or line",
     "exact bytes; a multi-line reply unfolds (again: folds)"},
    {SDLK_l, UI_KEYS_PLAIN, UI_KEY_EXPAND, "L", NULL},
    {SDLK_b, UI_KEYS_PLAIN, UI_KEY_BYTES, "B", "bytes inspector: text, hex, base64 decoded"},
    {SDLK_RETURN, UI_KEYS_PLAIN, UI_KEY_BYTES, "Enter", NULL},
    {SDLK_DOWN, UI_KEYS_SHIFT, UI_KEY_SCROLL_DOWN, "Shift+Up/Down",
     "scroll the inspector, else the transcript"},
    {SDLK_UP, UI_KEYS_SHIFT, UI_KEY_SCROLL_UP, "Shift+Up/Down", NULL},
    {SDLK_PAGEDOWN, UI_KEYS_SHIFT, UI_KEY_PAGE_DOWN, "Shift+PgUp/PgDn", NULL},
    {SDLK_PAGEUP, UI_KEYS_SHIFT, UI_KEY_PAGE_UP, "Shift+PgUp/PgDn", NULL},
    {SDLK_e, UI_KEYS_PLAIN, UI_KEY_EAVES, "E", "eavesdropper: what someone on the wire sees"},
    {SDLK_t, UI_KEYS_PLAIN, UI_KEY_THEME, "T",
     "theme: default, presenter (large, high contrast), dark"},
    {SDLK_s, UI_KEYS_PLAIN, UI_KEY_SCENARIO, "S", "choose a scenario"},
    {SDLK_q, UI_KEYS_PLAIN, UI_KEY_QUIZ, "Q",
     "quiz panel; X: predict stops on / off; I: statistics"},
    {SDLK_x, UI_KEYS_PLAIN, UI_KEY_PREDICT, "X", NULL},
    {SDLK_i, UI_KEYS_PLAIN, UI_KEY_STATS, "I", NULL},
    /* the quiz panel takes these before the table while it is open (ui_quiz_key) */
    {SDLK_UNKNOWN, UI_KEYS_PLAIN, UI_KEY_NONE, "1-9, A-D, Enter",
     "answer in the quiz panel; Tab: show me; PageDown: reveal"},
    {SDLK_w, UI_KEYS_PLAIN, UI_KEY_WHATIF, "W",
     "what if? on a reply step: type another reply, Enter replays; W: back"},
    {SDLK_s, UI_KEYS_CTRL, UI_KEY_SAVE_FORK, "Ctrl+S",
     "save the what-if as a scenario file (current directory)"},
    {SDLK_UNKNOWN, UI_KEYS_PLAIN, UI_KEY_NONE, "Mouse wheel",
     "previous / next step; over a panel: scroll it"},
    {SDLK_f, UI_KEYS_PLAIN, UI_KEY_FULLSCREEN, "F", "full screen"},
    {SDLK_F11, UI_KEYS_PLAIN, UI_KEY_FULLSCREEN, "F11", NULL},
    {SDLK_PLUS, UI_KEYS_CTRL, UI_KEY_ZOOM_IN, "Ctrl +", "zoom in / out / reset"},
    {SDLK_EQUALS, UI_KEYS_CTRL, UI_KEY_ZOOM_IN, "Ctrl +", NULL},
    {SDLK_KP_PLUS, UI_KEYS_CTRL, UI_KEY_ZOOM_IN, "Ctrl +", NULL},
    {SDLK_MINUS, UI_KEYS_CTRL, UI_KEY_ZOOM_OUT, "Ctrl -", NULL},
    {SDLK_KP_MINUS, UI_KEYS_CTRL, UI_KEY_ZOOM_OUT, "Ctrl -", NULL},
    {SDLK_0, UI_KEYS_CTRL, UI_KEY_ZOOM_RESET, "Ctrl 0", NULL},
    {SDLK_KP_0, UI_KEYS_CTRL, UI_KEY_ZOOM_RESET, "Ctrl 0", NULL},
    {SDLK_F12, UI_KEYS_PLAIN, UI_KEY_SCREENSHOT, "F12",
     "save a screenshot (PNG, current directory)"},
    {SDLK_F1, UI_KEYS_PLAIN, UI_KEY_HELP, "F1", "this help"},
    {SDLK_QUESTION, UI_KEYS_PLAIN, UI_KEY_HELP, "?", NULL},
    {SDLK_SLASH, UI_KEYS_SHIFT, UI_KEY_HELP, "?", NULL}, /* '?' on a US layout */
    {SDLK_ESCAPE, UI_KEYS_PLAIN, UI_KEY_ESCAPE, "Esc",
     "close help, inspector, picker, what-if; quit: Esc twice, Ctrl+Q"},
    {SDLK_q, UI_KEYS_CTRL, UI_KEY_QUIT, "Ctrl+Q", NULL},
    {SDLK_w, UI_KEYS_CTRL, UI_KEY_QUIT, "Ctrl+W", NULL},
};

#define KEY_COUNT (int)(sizeof keys / sizeof keys[0])

int ui_keys_count(void)
{
    return KEY_COUNT;
}

const ui_key *ui_keys_at(int i)
{
    return i >= 0 && i < KEY_COUNT ? &keys[i] : NULL;
}

/* mod_matches - whether the held modifiers are what a row asks for. */
static int mod_matches(ui_keys_mod want, Uint16 mod)
{
    int ctrl = (mod & KMOD_CTRL) != 0, shift = (mod & KMOD_SHIFT) != 0;
    switch (want) {
    case UI_KEYS_CTRL: return ctrl;
    case UI_KEYS_SHIFT: return shift && !ctrl;
    default: return !ctrl;
    }
}

ui_key_action ui_keys_action(SDL_Keycode key, Uint16 mod)
{
    if (key == SDLK_UNKNOWN)
        return UI_KEY_NONE;
    /* rows that ask for a modifier first: a plain row ignores Shift and would take its key */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < KEY_COUNT; i++)
            if (keys[i].key == key && (keys[i].mod != UI_KEYS_PLAIN) == (pass == 0) &&
                mod_matches(keys[i].mod, mod))
                return keys[i].action;
    return UI_KEY_NONE;
}

int ui_keys_help_line(int *i, char *out, size_t cap, const char **help)
{
    if (*i < 0 || *i >= KEY_COUNT || cap == 0)
        return -1;
    *help = keys[*i].help ? keys[*i].help : "";
    out[0] = 0;
    size_t len = 0;
    int first = *i;
    do {
        /* each label once: "+" stands for '+', '=' and the keypad's + */
        bool seen = false;
        for (int j = first; j < *i && !seen; j++)
            seen = !strcmp(keys[j].label, keys[*i].label);
        if (!seen) {
            int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", keys[*i].label);
            if (n > 0)
                len = len + (size_t)n < cap ? len + (size_t)n : cap - 1;
        }
        (*i)++;
    } while (*i < KEY_COUNT && !keys[*i].help);
    return 0;
}

int ui_keys_help_lines(void)
{
    int n = 0;
    for (int i = 0; i < KEY_COUNT; i++)
        if (keys[i].help)
            n++;
    return n;
}
