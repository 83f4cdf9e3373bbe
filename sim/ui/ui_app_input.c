/* ui_app_input.c - keys, mouse and buttons of the window.
 *
 * Keys come from one table (ui_keys.c), the same one the help overlay draws, so the help never
 * lists a key that does nothing or misses one that works. Modal keys come first: the help
 * closes on any key, the what-if field and the scenario picker take every key while open, and
 * the quiz panel takes its answer keys before the table.
 */
#include "ui/ui_app_internal.h"

#include <stdio.h>
#include <string.h>

#include "ui/ui_keys.h"
#include "ui/ui_panels.h"

static void toggle_fullscreen(ui_app *a)
{
    if (!a->win)
        return;
    a->fullscreen = !a->fullscreen;
    SDL_SetWindowFullscreen(a->win, a->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    a->relayout = true;
}

static void open_picker(ui_app *a)
{
    ui_picker_scan(&a->picker, a->data_dir);
    for (int i = 0; i < a->picker.count; i++)
        if (!strcmp(a->picker.name[i], a->id))
            a->picker.selected = i;
    a->picking = true;
    a->playing = false;
}

static void pick(ui_app *a, int i)
{
    if (i < 0 || i >= a->picker.count)
        return;
    char err[512];
    if (ui_app_load(a, a->picker.path[i], err, sizeof err) != 0)
        fprintf(stderr, "smtpsim: %s\n", err);
    a->picking = false;
}

/* whatif_toggle - W and the button: back from a fork, close the field, or open it. */
static void whatif_toggle(ui_app *a)
{
    if (a->fork) {
        ui_app_unfork(a);
    } else if (a->wi_edit) {
        a->wi_edit = false;
        a->wi_rev++;
    } else {
        ui_app_whatif_open(a);
    }
}

static void save_fork_now(ui_app *a)
{
    if (!a->fork) { /* say what Ctrl+S is for rather than doing nothing */
        ui_app_notify(a, UI_APP_HINT,
                      "Ctrl+S saves a what-if: press W on a server reply first");
        return;
    }
    char name[200], err[400];
    if (ui_app_save_fork(a, name, sizeof name, err, sizeof err) == 0) {
        ui_app_notify(a, UI_APP_DONE,
                      "saved what-if scenario: %s (open it with: smtpsim window %s)", name, name);
        if (a->win) {
            char t[300];
            snprintf(t, sizeof t, "smtpsim - what if: saved as %s", name);
            SDL_SetWindowTitle(a->win, t);
        }
    } else {
        ui_app_notify(a, UI_APP_ERROR, "what-if not saved: %s", err);
    }
}

/* escape - Esc closes what is open; with nothing open the first Esc only warns, so a double
 * press on a clicker does not end a class demo, and a second one within a few seconds quits. */
static void escape(ui_app *a)
{
    if (a->stats) {
        ui_app_toggle_stats(a);
    } else if (a->bytes) {
        a->bytes = false;
    } else if (a->fork) {
        ui_app_unfork(a);
    } else if (a->panels.expanded >= 0) {
        a->panels.expanded = -1;
    } else if (a->esc_ms > 0) {
        a->quit = true;
    } else {
        a->esc_ms = UI_APP_ESC_QUIT_MS;
        ui_app_notify(a, UI_APP_HINT, "Press Esc again to quit (Ctrl+Q quits at once)");
        return;
    }
    a->esc_ms = 0;
}

/* expand - show all lines of the current step's multi-line reply in the transcript, or fold
 * them again. */
static void expand(ui_app *a)
{
    if (!a->w || a->step >= ui_app_step_count(a))
        return;
    if (a->panels.expanded == (long)a->step)
        a->panels.expanded = -1;
    else if (ui_panels_reply_lines(world_step_at(a->w, a->step)) > 1)
        a->panels.expanded = (long)a->step;
    a->panels.transcript_back = 0;
}

/* scroll_bytes - move the inspector's rows by `rows` (a page when |rows| is large). */
static void scroll_bytes(ui_app *a, int rows)
{
    ui_view v;
    ui_app_view_of(a, &v);
    ui_panels_scroll sc = ui_panels_bytes_scroll(&a->ctx, &a->lay, &v, &a->panels);
    int top = sc.top + rows;
    int most = sc.rows - sc.shown;
    a->panels.bytes_top = top < 0 ? 0 : top > most ? (most > 0 ? most : 0) : top;
}

/* scroll_transcript - back (rows > 0) towards the first step, or forward to the newest. */
static void scroll_transcript(ui_app *a, int rows)
{
    ui_view v;
    ui_app_view_of(a, &v);
    ui_panels_scroll sc = ui_panels_transcript_scroll(&a->ctx, &a->lay, &v, &a->panels);
    int back = a->panels.transcript_back + rows;
    int most = sc.rows - sc.shown;
    a->panels.transcript_back = back < 0 ? 0 : back > most ? (most > 0 ? most : 0) : back;
}

static void press(ui_app *a, int button)
{
    size_t n = ui_app_step_count(a);
    switch (button) {
    case UI_BTN_HOME: ui_app_set_step(a, 0, 0); break;
    case UI_BTN_BACK: ui_app_back(a); break;
    case UI_BTN_PLAY: ui_app_set_playing(a, !a->playing); break;
    case UI_BTN_NEXT: ui_app_forward(a); break;
    case UI_BTN_END: ui_app_set_step(a, n ? n - 1 : 0, 1); break;
    case UI_BTN_SLOWER: if (a->speed > 0) a->speed--; break;
    case UI_BTN_SPEED: a->speed = UI_APP_SPEED_NORMAL; break;
    case UI_BTN_FASTER: if (a->speed + 1 < UI_APP_SPEED_COUNT) a->speed++; break;
    case UI_BTN_BYTES: a->bytes = !a->bytes; break;
    case UI_BTN_EAVES: a->eaves = !a->eaves; break;
    case UI_BTN_THEME:
        a->ctx.theme = ui_theme_next(a->ctx.theme);
        a->relayout = true;
        break;
    case UI_BTN_SCENARIO: open_picker(a); break;
    case UI_BTN_HELP: a->help = !a->help; break;
    case UI_BTN_WHATIF: whatif_toggle(a); break;
    case UI_BTN_QUIZ:
        if (!a->quiz)
            break;
        if (ui_quiz_get_mode(a->quiz) == UI_QUIZ_OFF) {
            ui_quiz_open_session(a->quiz);
            a->playing = false;
        } else if (ui_quiz_get_mode(a->quiz) == UI_QUIZ_SESSION) {
            ui_quiz_close(a->quiz);
        }
        break;
    default: break;
    }
}

/* quiz_action - what the window does after the quiz panel took a key or click. */
static void quiz_action(ui_app *a, ui_quiz_action act)
{
    size_t n = ui_app_step_count(a);
    if (act == UI_QUIZ_SHOW_ME) {
        ui_app_unfork(a); /* the lessons' steps are the original run's */
        n = ui_app_step_count(a);
        long s = ui_quiz_show_step(a->quiz);
        if (s >= 0 && (size_t)s < n) {
            bool predict = ui_quiz_get_mode(a->quiz) == UI_QUIZ_PREDICT;
            if (predict) { /* the answer is known now: let the reply arrive */
                ui_quiz_close(a->quiz);
                a->step = (size_t)s;
                a->phase = 0;
                a->animating = true;
            } else {
                ui_app_set_step(a, (size_t)s, 1);
            }
        }
    } else if (act == UI_QUIZ_CONTINUE && a->step + 1 < n) {
        a->step++; /* the reply the student predicted now travels */
        a->phase = 0;
        a->animating = true;
        a->hold_ms = 0;
    }
}

/* do_key - what a key of the table does (ui_keys.c); most keys press their button. */
static void do_key(ui_app *a, ui_key_action act)
{
    if (act != UI_KEY_ESCAPE && act != UI_KEY_NONE && a->esc_ms) {
        a->esc_ms = 0; /* another key: the student stays, the warning goes */
        a->notice_ms = 0;
        a->notice[0] = 0;
    }
    switch (act) {
    case UI_KEY_PLAY: press(a, UI_BTN_PLAY); break;
    case UI_KEY_NEXT: press(a, UI_BTN_NEXT); break;
    case UI_KEY_BACK: press(a, UI_BTN_BACK); break;
    case UI_KEY_FIRST: press(a, UI_BTN_HOME); break;
    case UI_KEY_LAST: press(a, UI_BTN_END); break;
    case UI_KEY_FASTER: press(a, UI_BTN_FASTER); break;
    case UI_KEY_SLOWER: press(a, UI_BTN_SLOWER); break;
    case UI_KEY_SPEED_NORMAL: press(a, UI_BTN_SPEED); break;
    case UI_KEY_BYTES: press(a, UI_BTN_BYTES); break;
    case UI_KEY_EAVES: press(a, UI_BTN_EAVES); break;
    case UI_KEY_THEME: press(a, UI_BTN_THEME); break;
    case UI_KEY_SCENARIO: press(a, UI_BTN_SCENARIO); break;
    case UI_KEY_QUIZ: press(a, UI_BTN_QUIZ); break;
    case UI_KEY_PREDICT:
        ui_app_set_predict(a, a->no_predict);
        a->predict_told = true; /* the header shows the state from now on */
        printf("predict stops %s\n", a->no_predict ? "off" : "on");
        fflush(stdout);
        break;
    case UI_KEY_STATS: ui_app_toggle_stats(a); break;
    case UI_KEY_WHATIF:
        press(a, UI_BTN_WHATIF);
        a->wi_eat = a->wi_edit; /* the W also arrives as text */
        break;
    case UI_KEY_SAVE_FORK: save_fork_now(a); break;
    case UI_KEY_FULLSCREEN: toggle_fullscreen(a); break;
    case UI_KEY_ZOOM_IN: ui_app_set_zoom(a, a->zoom * 1.1f); break;
    case UI_KEY_ZOOM_OUT: ui_app_set_zoom(a, a->zoom / 1.1f); break;
    case UI_KEY_ZOOM_RESET: ui_app_set_zoom(a, 1.0f); break;
    case UI_KEY_SCREENSHOT: a->shot_pending = true; break;
    case UI_KEY_HELP: press(a, UI_BTN_HELP); break;
    case UI_KEY_ESCAPE: escape(a); break;
    case UI_KEY_EXPAND: expand(a); break;
    case UI_KEY_SCROLL_DOWN: a->bytes ? scroll_bytes(a, 1) : scroll_transcript(a, -1); break;
    case UI_KEY_SCROLL_UP: a->bytes ? scroll_bytes(a, -1) : scroll_transcript(a, 1); break;
    case UI_KEY_PAGE_DOWN:
        a->bytes ? scroll_bytes(a, UI_APP_PAGE_ROWS) : scroll_transcript(a, -UI_APP_PAGE_ROWS);
        break;
    case UI_KEY_PAGE_UP:
        a->bytes ? scroll_bytes(a, -UI_APP_PAGE_ROWS) : scroll_transcript(a, UI_APP_PAGE_ROWS);
        break;
    case UI_KEY_QUIT: a->quit = true; break;
    default: break;
    }
}

/* key - a key press: open overlays and fields first, then the quiz panel, then the table. */
static void key(ui_app *a, const SDL_KeyboardEvent *k)
{
    SDL_Keycode sym = k->keysym.sym;
    bool ctrl = (k->keysym.mod & KMOD_CTRL) != 0;
    if (a->help) { /* any key closes the help */
        a->help = false;
        a->ate_question = true;
        return;
    }
    if (a->wi_edit) {
        ui_app_whatif_key(a, sym, ctrl);
        return;
    }
    a->wi_eat = false;
    if (a->picking) {
        if (sym == SDLK_ESCAPE || sym == SDLK_s)
            a->picking = false;
        else if (sym == SDLK_UP && a->picker.selected > 0)
            a->picker.selected--;
        else if (sym == SDLK_DOWN && a->picker.selected + 1 < a->picker.count)
            a->picker.selected++;
        else if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER)
            pick(a, a->picker.selected);
        else if (sym >= SDLK_1 && sym <= SDLK_9)
            pick(a, (int)(sym - SDLK_1));
        return;
    }
    if (!ctrl && ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF) {
        ui_quiz_action qa = ui_quiz_key(a->quiz, sym);
        if (qa != UI_QUIZ_IGNORED) {
            quiz_action(a, qa);
            return;
        }
    }
    ui_key_action act = ui_keys_action(sym, k->keysym.mod);
    if (act == UI_KEY_HELP && sym != SDLK_F1)
        a->ate_question = true; /* its '?' also arrives as text */
    do_key(a, act);
}

/* to_output - window coordinates to output pixels (HiDPI). */
static void to_output(const ui_app *a, int *x, int *y)
{
    if (!a->win)
        return;
    int ww, wh, ow, oh;
    SDL_GetWindowSize(a->win, &ww, &wh);
    SDL_GetRendererOutputSize(a->ctx.r, &ow, &oh);
    if (ww > 0 && wh > 0) {
        *x = *x * ow / ww;
        *y = *y * oh / wh;
    }
}

static void click(ui_app *a, int x, int y)
{
    ui_ctx *c = &a->ctx;
    if (a->help) {
        a->help = false;
        return;
    }
    if (a->picking) {
        int i = ui_picker_hit(c, &a->lay, &a->picker, x, y);
        if (i >= 0)
            pick(a, i);
        else
            a->picking = false;
        return;
    }
    ui_controls_state cs;
    ui_app_controls_state(a, &cs);
    int b = ui_controls_hit(c, &a->lay, &cs, x, y);
    if (b >= 0) {
        press(a, b);
        return;
    }
    size_t n = ui_app_step_count(a);
    if (n && ui_gfx_inside(a->lay.timeline, x, y)) {
        a->dragging = true;
        ui_app_set_step(a, ui_controls_timeline_step(&a->lay, n, x), 1);
        return;
    }
    if (ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF && ui_gfx_inside(a->lay.explain, x, y)) {
        quiz_action(a, ui_quiz_click(a->quiz, c, a->lay.explain, x, y));
        return;
    }
    if (a->bytes && ui_gfx_inside(a->close, x, y)) {
        a->bytes = false;
        return;
    }
    if (a->token.w && ui_gfx_inside(a->token, x, y)) {
        a->bytes = true;
        return;
    }
    ui_view v;
    ui_app_view_of(a, &v);
    long s = ui_panels_transcript_hit(c, &a->lay, &v, &a->panels, x, y);
    if (s >= 0) {
        /* a multi-line reply unfolds in place (a second click folds it); the inspector opens
         * on any line */
        bool multi = ui_panels_reply_lines(world_step_at(a->w, (size_t)s)) > 1;
        long keep_back = a->panels.transcript_back;
        ui_app_set_step(a, (size_t)s, 1);
        if (multi)
            a->panels.expanded = a->panels.expanded == s ? -1 : s;
        a->panels_step = a->step; /* the transcript stays where the student clicked */
        a->panels.transcript_back = (int)keep_back;
        a->panels.bytes_top = 0;
        a->bytes = true;
    }
}

/* wheel - the wheel scrolls the panel under the mouse; elsewhere it moves through the steps. */
static void wheel(ui_app *a, const SDL_MouseWheelEvent *wh)
{
    int x = wh->mouseX, y = wh->mouseY;
    to_output(a, &x, &y);
    int notch = wh->y > 0 ? 1 : wh->y < 0 ? -1 : 0;
    if (!notch)
        return;
    bool quiz = ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF;
    if (a->bytes && !quiz && !a->wi_edit && !a->stats && ui_gfx_inside(a->lay.explain, x, y)) {
        scroll_bytes(a, -notch * UI_APP_WHEEL_ROWS);
        return;
    }
    if (ui_gfx_inside(a->lay.transcript, x, y)) {
        scroll_transcript(a, notch * UI_APP_WHEEL_ROWS);
        return;
    }
    if (notch > 0) {
        ui_app_back(a);
    } else {
        ui_app_forward(a);
        if (a->phase < 1) { /* the wheel moves whole steps */
            a->phase = 1;
            a->animating = false;
        }
    }
}

void ui_app_event(ui_app *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT: a->quit = true; break;
    case SDL_KEYDOWN: key(a, &e->key); break;
    case SDL_TEXTINPUT:
        if (a->wi_edit) {
            ui_app_whatif_text_input(a, e->text.text);
            break;
        }
        if (!a->help && !a->picking && !a->ate_question &&
            ui_quiz_text(a->quiz, e->text.text) != UI_QUIZ_IGNORED)
            break;
        /* '?' on keyboards where it is not Shift+/ */
        if (!strcmp(e->text.text, "?") && !a->ate_question && !a->picking)
            a->help = !a->help;
        a->ate_question = false;
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            int x = e->button.x, y = e->button.y;
            to_output(a, &x, &y);
            click(a, x, y);
        }
        break;
    case SDL_MOUSEBUTTONUP: a->dragging = false; break;
    case SDL_MOUSEMOTION: {
        int x = e->motion.x, y = e->motion.y;
        to_output(a, &x, &y);
        size_t n = ui_app_step_count(a);
        if (a->dragging && n) {
            ui_app_set_step(a, ui_controls_timeline_step(&a->lay, n, x), 1);
        } else {
            ui_controls_state cs;
            ui_app_controls_state(a, &cs);
            a->hover = a->help || a->picking ? -1 : ui_controls_hit(&a->ctx, &a->lay, &cs, x, y);
        }
        break;
    }
    case SDL_MOUSEWHEEL:
        if (a->picking || a->help)
            break;
        wheel(a, &e->wheel);
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET: a->layer_valid = false; break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_RESIZED)
            a->relayout = true;
        break;
    default: break;
    }
}

