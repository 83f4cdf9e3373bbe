/* ui_app.c - the window's state, input and main loop (see ui_app.h).
 *
 * The view is (step, phase): phase runs from 0 (the token leaves) to 1 (it has arrived).
 * Moving forward animates; moving back, clicking the timeline or the transcript lands on a
 * step with its token arrived. Nothing else is remembered between frames that affects what is
 * drawn, which is what makes stepping back exact.
 */
#include "ui/ui_app.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/world/scenario.h"
#include "core/world/scenario_fork.h"
#include "ui/ui_controls.h"
#include "ui/ui_flow.h"
#include "ui/ui_help.h"
#include "ui/ui_panels.h"
#include "ui/ui_picker.h"
#include "ui/ui_quiz.h"
#include "ui/ui_shot.h"

static const float speeds[] = {0.25f, 0.5f, 1.0f, 2.0f, 4.0f, 8.0f};
#define SPEED_COUNT (int)(sizeof speeds / sizeof speeds[0])
#define SPEED_NORMAL 2

/* What the still layer (everything but the token and the timeline) was drawn for. */
typedef struct {
    const world *w;
    size_t steps, step, nodes;
    long done;
    int out_w, out_h;
    const ui_theme *theme;
    float zoom;
    bool eaves, bytes, playing;
    int speed, hover;
    unsigned quiz_rev;
    int quiz_mode;
    unsigned fork_gen, wi_rev; /* what-if fork shown, reply field */
    bool wi_edit;
} still_layer_key;

struct ui_app {
    ui_ctx ctx;
    ui_layout lay;
    SDL_Window *win;
    char data_dir[512];

    /* the world: owned when loaded from a file */
    scenario *sc;
    world *owned;
    const world *w;
    char title[160];
    char id[64];
    world_node_state *states;
    size_t states_cap;

    /* the view */
    size_t step;
    float phase;
    bool animating; /* phase runs towards 1 */
    bool playing;
    uint32_t hold_ms;
    int speed;
    float zoom;
    bool eaves, bytes, help, picking, fullscreen;
    ui_picker picker;
    ui_quiz *quiz; /* the lessons of this scenario, NULL when none */
    char progress[512]; /* the quiz's progress file, "" for none */

    /* what if? the fork is shown instead of `owned` while it exists */
    world *fork;
    size_t fork_at;
    char fork_reply[UI_APP_MAX_REPLY + 1];
    unsigned fork_gen;   /* changes with every fork and return (redraw decisions) */
    bool wi_edit;        /* the reply field is open */
    bool wi_eat;         /* drop the text event of the W that opened it */
    bool wi_bad;         /* wi_msg is a refusal */
    char wi_text[UI_APP_MAX_REPLY + 1];
    char wi_msg[200];
    unsigned wi_rev;

    /* input */
    bool dragging;
    bool ate_question; /* the key that typed '?' was handled as a key already */
    int hover;
    bool quit;
    bool shot_pending;
    SDL_Rect token, close;
    int laid_w, laid_h;
    bool relayout;

    /* the still layer */
    SDL_Texture *layer;
    int layer_w, layer_h;
    bool layer_valid;
    still_layer_key layer_key;
    still_layer_key prev_key; /* of the previous frame */
    bool prev_key_set;
};

/* ---- creation ----------------------------------------------------------------------------- */

ui_app *ui_app_new(SDL_Renderer *r, SDL_Window *win, const ui_app_config *cfg, char *err,
                   size_t errlen)
{
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errlen, "SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    ui_app *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->win = win;
    a->ctx.r = r;
    snprintf(a->data_dir, sizeof a->data_dir, "%s", cfg && cfg->data_dir ? cfg->data_dir : ".");
    char fonts[600];
    snprintf(fonts, sizeof fonts, "%s/assets/fonts", a->data_dir);
    a->ctx.text = ui_text_new(r, fonts, err, errlen);
    if (!a->ctx.text) {
        free(a);
        return NULL;
    }
    a->ctx.theme = ui_theme_get(cfg && cfg->theme ? cfg->theme : "default");
    if (!a->ctx.theme) {
        snprintf(err, errlen, "unknown theme '%s' (themes: %s)", cfg->theme, ui_theme_names());
        ui_text_free(a->ctx.text);
        free(a);
        return NULL;
    }
    a->speed = SPEED_NORMAL;
    a->zoom = 1.0f;
    a->hover = -1;
    a->relayout = true;
    return a;
}

static void drop_fork(ui_app *a)
{
    world_free(a->fork);
    a->fork = NULL;
    a->wi_edit = false;
    a->fork_gen++;
}

static void drop_world(ui_app *a)
{
    drop_fork(a);
    ui_quiz_free(a->quiz);
    a->quiz = NULL;
    world_free(a->owned);
    scenario_free(a->sc);
    a->owned = NULL;
    a->sc = NULL;
    a->w = NULL;
}

void ui_app_free(ui_app *a)
{
    if (!a)
        return;
    drop_world(a);
    free(a->states);
    SDL_DestroyTexture(a->layer);
    ui_text_free(a->ctx.text);
    free(a);
}

static int attach(ui_app *a, const world *w)
{
    size_t n = world_node_count(w);
    if (n > a->states_cap) {
        world_node_state *s = realloc(a->states, n * sizeof *s);
        if (!s)
            return -1;
        a->states = s;
        a->states_cap = n;
    }
    a->w = w;
    a->step = 0;
    a->phase = 0;
    a->animating = false;
    a->playing = false;
    a->hold_ms = 0;
    a->relayout = true;
    a->layer_valid = false;
    return 0;
}

void ui_app_set_progress(ui_app *a, const char *path)
{
    snprintf(a->progress, sizeof a->progress, "%s", path ? path : "");
}

int ui_app_load(ui_app *a, const char *path, char *err, size_t errlen)
{
    scenario *sc = scenario_load(path, err, errlen);
    if (!sc)
        return -1;
    world *w = world_new(sc, err, errlen);
    if (!w) {
        scenario_free(sc);
        return -1;
    }
    drop_world(a);
    a->sc = sc;
    a->owned = w;
    snprintf(a->title, sizeof a->title, "%s", scenario_title(sc));
    snprintf(a->id, sizeof a->id, "%s", scenario_id(sc));
    if (attach(a, w) != 0) {
        snprintf(err, errlen, "out of memory");
        drop_world(a);
        return -1;
    }
    a->quiz = ui_quiz_new(a->data_dir, a->id, w);
    if (a->quiz && a->progress[0]) {
        char perr[600];
        if (ui_quiz_use_progress(a->quiz, a->progress, perr, sizeof perr) != 0)
            fprintf(stderr, "smtpsim: %s\n", perr);
    }
    if (a->win) {
        char t[200];
        snprintf(t, sizeof t, "smtpsim - %s", a->title);
        SDL_SetWindowTitle(a->win, t);
    }
    return 0;
}

void ui_app_set_world(ui_app *a, const world *w, const char *title)
{
    drop_world(a);
    snprintf(a->title, sizeof a->title, "%s", title ? title : "");
    snprintf(a->id, sizeof a->id, "live");
    if (w && attach(a, w) != 0)
        a->w = NULL;
}

const world *ui_app_world(const ui_app *a)
{
    return a->w;
}

/* ---- the view ----------------------------------------------------------------------------- */

static size_t step_count(const ui_app *a)
{
    return a->w ? world_step_count(a->w) : 0;
}

void ui_app_set_step(ui_app *a, size_t step, float phase)
{
    size_t n = step_count(a);
    a->step = n == 0 ? 0 : step >= n ? n - 1 : step;
    a->phase = phase < 0 ? 0 : phase > 1 ? 1 : phase;
    a->animating = false;
    a->playing = false;
    a->hold_ms = 0;
}

size_t ui_app_step(const ui_app *a)
{
    return a->step;
}

float ui_app_phase(const ui_app *a)
{
    return a->phase;
}

int ui_app_set_theme(ui_app *a, const char *name)
{
    const ui_theme *t = ui_theme_get(name);
    if (!t)
        return -1;
    a->ctx.theme = t;
    a->relayout = true;
    return 0;
}

void ui_app_set_eaves(ui_app *a, bool on)
{
    a->eaves = on;
}

void ui_app_set_bytes(ui_app *a, bool on)
{
    a->bytes = on;
}

void ui_app_set_playing(ui_app *a, bool on)
{
    size_t n = step_count(a);
    if (on && n && a->step == n - 1 && a->phase >= 1) { /* at the end: play from the start */
        a->step = 0;
        a->phase = 0;
    }
    a->playing = on && n > 0;
    a->animating = a->playing && a->phase < 1;
    a->hold_ms = 0;
}

bool ui_app_playing(const ui_app *a)
{
    return a->playing;
}

void ui_app_set_zoom(ui_app *a, float zoom)
{
    a->zoom = zoom < UI_APP_ZOOM_MIN ? UI_APP_ZOOM_MIN : zoom > UI_APP_ZOOM_MAX ? UI_APP_ZOOM_MAX
                                                                                : zoom;
    a->relayout = true;
}

/* predict_quiz - the quiz whose predict questions may stop the animation: none in a fork, whose
 * steps after the fork are not the ones the lesson was written for. */
static ui_quiz *predict_quiz(ui_app *a)
{
    return a->fork ? NULL : a->quiz;
}

int ui_app_open_quiz(ui_app *a, bool predict)
{
    if (!a->quiz)
        return -1;
    if (predict)
        return ui_quiz_predict_before(predict_quiz(a), a->step + 1) ? 0 : -1;
    ui_quiz_open_session(a->quiz);
    return 0;
}

/* forward - finish the current token, or start the next step's. */
static void forward(ui_app *a)
{
    size_t n = step_count(a);
    if (!n || ui_quiz_get_mode(a->quiz) == UI_QUIZ_PREDICT)
        return; /* answer first (or Esc to skip) */
    a->hold_ms = 0;
    if (a->phase < 1) {
        a->phase = 1;
        a->animating = false;
    } else if (a->step + 1 < n && ui_quiz_predict_before(predict_quiz(a), a->step + 1)) {
        a->playing = false; /* stop before the server answers */
    } else if (a->step + 1 < n) {
        a->step++;
        a->phase = 0;
        a->animating = true;
    }
}

static void back(ui_app *a)
{
    if (ui_quiz_get_mode(a->quiz) == UI_QUIZ_PREDICT)
        ui_quiz_close(a->quiz); /* asked again when stepping forward */
    a->playing = false;
    a->animating = false;
    a->hold_ms = 0;
    if (a->step > 0) {
        a->step--;
        a->phase = 1;
    } else {
        a->phase = 0;
    }
}

/* step_duration - real ms for a token's trip at the current speed: the link latency scaled,
 * within bounds, so a slow link looks slow but nothing takes too long. */
static float step_duration(const ui_app *a)
{
    const world_step *st = world_step_at(a->w, a->step);
    uint64_t lat = st->t_arrive_ms > st->t_send_ms ? st->t_arrive_ms - st->t_send_ms : 0;
    float ms = (float)lat * UI_APP_MS_PER_VIRTUAL;
    if (ms < UI_APP_MIN_STEP_MS)
        ms = UI_APP_MIN_STEP_MS;
    if (ms > UI_APP_MAX_STEP_MS)
        ms = UI_APP_MAX_STEP_MS;
    return ms / speeds[a->speed];
}

void ui_app_update(ui_app *a, uint32_t dt_ms)
{
    size_t n = step_count(a);
    if (!n || a->help || a->picking)
        return;
    float dt = (float)dt_ms;
    while (dt > 0) {
        if (a->animating && a->phase < 1) {
            float dur = step_duration(a);
            float need = (1 - a->phase) * dur;
            if (dt < need) {
                a->phase += dt / dur;
                return;
            }
            dt -= need;
            a->phase = 1;
            a->animating = false;
            a->hold_ms = 0;
        } else if (a->playing) {
            if (a->step + 1 >= n) {
                a->playing = false;
                return;
            }
            float hold = UI_APP_HOLD_MS / speeds[a->speed];
            if ((float)a->hold_ms + dt < hold) {
                a->hold_ms += (uint32_t)dt;
                return;
            }
            dt -= hold - (float)a->hold_ms;
            a->hold_ms = 0;
            if (ui_quiz_predict_before(predict_quiz(a), a->step + 1)) {
                a->playing = false;
                return;
            }
            a->step++;
            a->phase = 0;
            a->animating = true;
        } else {
            return;
        }
    }
}

/* ---- what if? ------------------------------------------------------------------------------ */

static void wi_say(ui_app *a, bool bad, const char *msg)
{
    snprintf(a->wi_msg, sizeof a->wi_msg, "%s", msg);
    a->wi_bad = bad;
    a->wi_rev++;
}

/* reply_first_line - "250 2.1.5 Ok" from a reply step; a multiline reply's first line with its
 * continuation dash made a space (RFC 5321 4.2.1), since the field edits one line. */
static void reply_first_line(const world_step *st, char *out, size_t cap)
{
    const char *src = st->bytes && st->len ? st->bytes : st->text ? st->text : "";
    size_t n = strcspn(src, "\r\n");
    if (st->bytes && st->len && n > st->len)
        n = st->len;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, src, n);
    out[n] = 0;
    if (n > 3 && out[3] == '-')
        out[3] = ' ';
}

int ui_app_fork(ui_app *a, size_t step, const char *reply, char *err, size_t errlen)
{
    if (!a->sc || !a->owned) {
        snprintf(err, errlen, "what if? needs a scenario (this world has none)");
        return -1;
    }
    world *f = world_new_fork(a->sc, step, reply, err, errlen);
    if (!f)
        return -1;
    drop_fork(a);
    a->fork = f;
    a->fork_at = step;
    snprintf(a->fork_reply, sizeof a->fork_reply, "%s", reply);
    a->w = f;
    if (ui_quiz_get_mode(a->quiz) == UI_QUIZ_PREDICT)
        ui_quiz_close(a->quiz);
    /* the new reply travels: the student sees the turn happen */
    ui_app_set_step(a, step, 0);
    a->animating = true;
    a->relayout = true;
    return 0;
}

void ui_app_unfork(ui_app *a)
{
    if (!a->fork)
        return;
    size_t step = a->step;
    drop_fork(a);
    a->w = a->owned;
    a->relayout = true;
    ui_app_set_step(a, step, 1);
}

bool ui_app_forked(const ui_app *a)
{
    return a->fork != NULL;
}

bool ui_app_whatif_editing(const ui_app *a)
{
    return a->wi_edit;
}

const char *ui_app_whatif_text(const ui_app *a)
{
    return a->wi_text;
}

const char *ui_app_whatif_message(const ui_app *a)
{
    return a->wi_msg;
}

/* is_server_reply - a step world_new_fork can change. */
static bool is_server_reply(const ui_app *a, size_t step)
{
    char verb[16];
    int nth;
    return a->w && step < step_count(a) &&
           world_reply_fault_for_step(a->w, step, NULL, verb, &nth) == 0;
}

bool ui_app_whatif_open(ui_app *a)
{
    if (!a->sc || !a->w || !step_count(a))
        return false;
    a->playing = false;
    a->wi_edit = true;
    a->wi_text[0] = 0;
    if (!is_server_reply(a, a->step)) {
        wi_say(a, true, "What if? changes a server's reply: step to a reply (a token coming "
                        "back from a server) and press W again. Esc closes this.");
        return false;
    }
    reply_first_line(world_step_at(a->w, a->step), a->wi_text, sizeof a->wi_text);
    wi_say(a, false, "Type the reply the server should give (e.g. 550 5.1.1 No such user). "
                     "Enter: replay from here through the engines. Esc: cancel.");
    return true;
}

/* wi_check - the field's reply is a 3-digit code 200-599, a space or end, then printable text;
 * NULL when fine, else what is wrong, in words a student can act on. */
static const char *wi_check(const char *t)
{
    if (!(t[0] >= '2' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' && t[2] >= '0' &&
          t[2] <= '9'))
        return "Refused: a reply starts with a 3-digit code from 200 to 599 (RFC 5321 4.2), "
               "like 550 5.1.1 No such user.";
    if (t[3] && t[3] != ' ')
        return "Refused: put a space after the code, then the text.";
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "Refused: the reply must be one line of printable text.";
    int code;
    char esc[16], text[200];
    if (scenario_parse_reply(t, &code, esc, text) != 0)
        return "Refused: not a valid reply (an enhanced code must agree with the reply's "
               "class, 5.x.x after 5xx, RFC 3463).";
    return NULL;
}

static void wi_apply(ui_app *a)
{
    const char *why = wi_check(a->wi_text);
    if (why) {
        wi_say(a, true, why);
        return;
    }
    char err[300];
    if (ui_app_fork(a, a->step, a->wi_text, err, sizeof err) != 0) {
        wi_say(a, true, err);
        return;
    }
    a->wi_edit = false;
    a->wi_msg[0] = 0;
    a->wi_rev++;
}

/* wi_key - a key while the reply field is open: every key is taken (nothing else happens
 * while a reply is typed; printable characters arrive as SDL_TEXTINPUT). */
static void wi_key(ui_app *a, SDL_Keycode sym, bool ctrl)
{
    size_t n = strlen(a->wi_text);
    a->wi_eat = false;
    if (sym == SDLK_ESCAPE) {
        a->wi_edit = false;
    } else if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) {
        if (!is_server_reply(a, a->step))
            a->wi_edit = false; /* only the note about reply steps was shown */
        else
            wi_apply(a);
    } else if (sym == SDLK_BACKSPACE && n) {
        if (ctrl) {
            a->wi_text[0] = 0;
        } else {
            while (n > 1 && ((unsigned char)a->wi_text[n - 1] & 0xC0) == 0x80)
                n--; /* a whole UTF-8 character */
            a->wi_text[n - 1] = 0;
        }
    } else if (ctrl && sym == SDLK_u) {
        a->wi_text[0] = 0;
    }
    a->wi_rev++;
}

static void wi_text_input(ui_app *a, const char *utf8)
{
    if (a->wi_eat) { /* the W that opened the field arrives as text too */
        a->wi_eat = false;
        if (!strcmp(utf8, "w") || !strcmp(utf8, "W"))
            return;
    }
    size_t n = strlen(a->wi_text), m = strlen(utf8);
    if (n + m <= UI_APP_MAX_REPLY) {
        memcpy(a->wi_text + n, utf8, m + 1);
        a->wi_rev++;
    }
}

/* unused_name - a file name in the current directory that does not exist yet. */
static int unused_name(char *out, size_t cap, const char *stem, const char *ext)
{
    struct stat st;
    for (int i = 1; i < 1000; i++) {
        if (i == 1)
            snprintf(out, cap, "%s%s", stem, ext);
        else
            snprintf(out, cap, "%s-%d%s", stem, i, ext);
        if (stat(out, &st) != 0)
            return 0;
    }
    return -1;
}

int ui_app_save_fork(ui_app *a, char *name, size_t cap, char *err, size_t errlen)
{
    if (!a->fork || !a->sc || !a->owned) {
        snprintf(err, errlen, "not showing a what-if fork (press W on a reply step first)");
        return -1;
    }
    char stem[128];
    snprintf(stem, sizeof stem, "%.40s-whatif-step%zu", scenario_id(a->sc), a->fork_at);
    if (unused_name(name, cap, stem, ".json") != 0) {
        snprintf(err, errlen, "no free file name for %s.json", stem);
        return -1;
    }
    char id[64];
    scenario_fork_id(name, scenario_id(a->sc), id, sizeof id);
    char *json = scenario_fork_json(a->sc, a->owned, a->fork_at, a->fork_reply, id, err, errlen);
    if (!json)
        return -1;
    FILE *f = fopen(name, "wx"); /* never overwrite a file that appeared meanwhile */
    int rc = 0;
    if (!f || fputs(json, f) == EOF)
        rc = -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errlen, "cannot write %s", name);
        if (f)
            remove(name);
    }
    free(json);
    return rc;
}

/* draw_whatif_field - the reply field, in the explanation panel's place. */
static void draw_whatif_field(ui_app *a)
{
    ui_ctx *c = &a->ctx;
    const ui_theme *th = c->theme;
    SDL_Rect area = a->lay.explain;
    ui_gfx_box(c->r, area, c->radius, th->panel, th->node_active, c->line);
    int x = area.x + c->pad, y = area.y + c->pad / 2, w = area.w - 2 * c->pad;
    int bottom = area.y + area.h - c->pad / 2;
    char buf[300];
    snprintf(buf, sizeof buf, "What if? Step %zu", a->step);
    y += ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->title, buf, x, y, w, 0);
    if (is_server_reply(a, a->step)) {
        char was[UI_APP_MAX_REPLY + 1];
        reply_first_line(world_step_at(a->w, a->step), was, sizeof was);
        snprintf(buf, sizeof buf, "The server answered: %s", was);
        y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text_dim, buf, x, y, w,
                               bottom - y);
        y += c->pad / 2;
        int lh = ui_text_line_height(c->text, UI_FONT_MONO_BOLD, c->fs_mono);
        SDL_Rect field = {x, y, w, lh + c->pad / 2};
        ui_gfx_box(c->r, field, c->radius / 2, th->bg,
                   a->wi_bad ? th->reply[UI_REPLY_5XX] : th->node_active, c->line);
        snprintf(buf, sizeof buf, "%s_", a->wi_text);
        ui_text_draw_fit(c->text, UI_FONT_MONO_BOLD, c->fs_mono, th->text, buf, x + c->pad / 2,
                         y + c->pad / 4, UI_ALIGN_LEFT, w - c->pad);
        y += field.h + c->pad / 2;
    }
    if (a->wi_msg[0] && y < bottom)
        ui_text_draw_wrap(c->text, a->wi_bad ? UI_FONT_SANS_BOLD : UI_FONT_SANS, c->fs_small,
                          a->wi_bad ? th->text : th->text_dim, a->wi_msg, x, y, w, bottom - y);
}

/* ---- drawing ------------------------------------------------------------------------------ */

static void view_of(ui_app *a, ui_view *v)
{
    v->w = a->w;
    v->step = a->step;
    v->phase = a->phase;
    v->eaves = a->eaves;
    v->states = NULL;
    /* a live world may have grown nodes since it was attached */
    size_t nodes = a->w ? world_node_count(a->w) : 0;
    if (nodes > a->states_cap) {
        world_node_state *grown = realloc(a->states, nodes * sizeof *grown);
        if (grown) {
            a->states = grown;
            a->states_cap = nodes;
        }
    }
    if (a->w && a->states && nodes <= a->states_cap) {
        long done = ui_view_done(v);
        world_state_at(a->w, done < 0 ? SIZE_MAX : (size_t)done, a->states);
        v->states = a->states;
    }
}

static void controls_state(const ui_app *a, ui_controls_state *s)
{
    memset(s, 0, sizeof *s);
    s->playing = a->playing;
    s->bytes = a->bytes;
    s->eaves = a->eaves;
    s->help = a->help;
    s->speed = speeds[a->speed];
    s->hover = a->hover;
    s->quiz_available = a->quiz != NULL;
    s->quiz = ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF;
    s->whatif = a->fork != NULL;
    s->whatif_available = a->sc != NULL;
}

static void layout_now(ui_app *a)
{
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(a->ctx.r, &w, &h);
    size_t nodes = a->w ? world_node_count(a->w) : 0;
    if (nodes > UI_MAX_NODES)
        nodes = UI_MAX_NODES;
    if (!a->relayout && w == a->laid_w && h == a->laid_h && nodes == a->lay.node_count)
        return;
    ui_gfx_scale(&a->ctx, ui_layout_scale(w, h, a->zoom));
    ui_layout_compute(&a->lay, &a->ctx, w, h, a->w);
    a->laid_w = w;
    a->laid_h = h;
    a->relayout = false;
}

static void draw_header(ui_app *a)
{
    ui_ctx *c = &a->ctx;
    const ui_theme *th = c->theme;
    SDL_Rect hd = a->lay.header;
    int cy = hd.y + hd.h / 2;
    char buf[200];
    size_t n = step_count(a);
    if (n)
        snprintf(buf, sizeof buf, "Step %zu of %zu", a->step, n - 1);
    else
        snprintf(buf, sizeof buf, "No steps");
    int sw = ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title, buf,
                          hd.x + hd.w - c->pad, cy, UI_ALIGN_RIGHT | UI_ALIGN_MIDDLE);
    int lx = hd.x + hd.w - c->pad - sw - 2 * c->pad;
    if (a->fork) {
        /* the banner: this is not the scenario as written, and how to get back */
        SDL_Rect band = {hd.x + c->pad / 2, hd.y + c->pad / 4, lx - hd.x, hd.h - c->pad / 2};
        ui_gfx_box(c->r, band, c->radius, th->highlight, th->node_active, c->line);
        char line[400];
        snprintf(line, sizeof line,
                 "What if: step %zu answered \xC2\xAB%s\xC2\xBB \xE2\x80\x94 the rest comes from "
                 "the engines.   W: back to the original   Ctrl+S: save",
                 a->fork_at, a->fork_reply);
        ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->highlight_text, line,
                         band.x + c->pad / 2, cy, UI_ALIGN_LEFT | UI_ALIGN_MIDDLE,
                         band.w - c->pad);
        return;
    }
    snprintf(buf, sizeof buf, "%s", a->title[0] ? a->title : "smtpsim: no scenario");
    ui_text_draw_fit(c->text, UI_FONT_SANS_BOLD, c->fs_title, th->title, buf, hd.x + c->pad, cy,
                     UI_ALIGN_LEFT | UI_ALIGN_MIDDLE, lx - hd.x - 2 * c->pad);
}

/* draw_still - everything that does not move while a token travels. */
static void draw_still(ui_app *a, const ui_view *v)
{
    ui_ctx *c = &a->ctx;
    const ui_theme *th = c->theme;
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(c->r, th->bg.r, th->bg.g, th->bg.b, 255);
    SDL_RenderClear(c->r);
    draw_header(a);
    ui_flow_draw(c, &a->lay, v);
    if (!a->w)
        ui_text_draw(c->text, UI_FONT_SANS, c->fs_title, th->text,
                     "No scenario loaded: press S to choose one.",
                     a->lay.flow.x + a->lay.flow.w / 2, a->lay.flow.y + a->lay.flow.h / 2,
                     UI_ALIGN_CENTER | UI_ALIGN_MIDDLE);
    ui_panels_transcript(c, &a->lay, v);
    if (a->wi_edit)
        draw_whatif_field(a);
    else if (ui_quiz_get_mode(a->quiz) != UI_QUIZ_OFF)
        ui_quiz_draw(a->quiz, c, a->lay.explain);
    else if (a->bytes)
        ui_panels_bytes(c, &a->lay, v, &a->close);
    else
        ui_panels_explain(c, &a->lay, v);
    ui_controls_state cs;
    controls_state(a, &cs);
    ui_controls_draw(c, &a->lay, &cs);
}

/* draw_moving - the token and the timeline's position. */
static void draw_moving(ui_app *a, const ui_view *v)
{
    ui_flow_draw_token(&a->ctx, &a->lay, v, &a->token);
    ui_controls_timeline(&a->ctx, &a->lay, v);
}

/* still_key - everything the still layer depends on; the layer is redrawn when it changes. */
static void still_key(const ui_app *a, const ui_view *v, still_layer_key *k)
{
    memset(k, 0, sizeof *k);
    k->w = a->w;
    k->steps = step_count(a);
    k->nodes = a->w ? world_node_count(a->w) : 0;
    k->step = a->step;
    k->done = ui_view_done(v);
    k->out_w = a->laid_w;
    k->out_h = a->laid_h;
    k->theme = a->ctx.theme;
    k->zoom = a->zoom;
    k->eaves = a->eaves;
    k->bytes = a->bytes;
    k->playing = a->playing;
    k->speed = a->speed;
    k->hover = a->hover;
    k->quiz_rev = ui_quiz_revision(a->quiz);
    k->quiz_mode = (int)ui_quiz_get_mode(a->quiz);
    k->fork_gen = a->fork_gen;
    k->wi_rev = a->wi_rev;
    k->wi_edit = a->wi_edit;
}

/* layer_ready - a target texture of the output size, or false (then draw directly). */
static bool layer_ready(ui_app *a)
{
    if (a->layer && a->layer_w == a->laid_w && a->layer_h == a->laid_h)
        return true;
    SDL_DestroyTexture(a->layer);
    a->layer = SDL_CreateTexture(a->ctx.r, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_TARGET,
                                 a->laid_w, a->laid_h);
    a->layer_valid = false;
    a->layer_w = a->laid_w;
    a->layer_h = a->laid_h;
    return a->layer != NULL;
}

void ui_app_draw(ui_app *a)
{
    ui_ctx *c = &a->ctx;
    layout_now(a);
    ui_view v;
    view_of(a, &v);
    bool overlay = a->help || a->picking;
    /* The still part is drawn once into a texture and copied each frame; only the token and
     * the timeline are drawn per frame. On the software renderer this turns a frame into
     * one copy plus a few small shapes. */
    still_layer_key k;
    still_key(a, &v, &k);
    /* only a still part drawn twice in a row is worth a layer (a single shot is not) */
    bool again = a->prev_key_set && !memcmp(&k, &a->prev_key, sizeof k);
    a->prev_key = k;
    a->prev_key_set = true;
    if (!overlay && again && layer_ready(a)) {
        if (!a->layer_valid || memcmp(&k, &a->layer_key, sizeof k) != 0) {
            SDL_Texture *prev = SDL_GetRenderTarget(c->r);
            if (SDL_SetRenderTarget(c->r, a->layer) == 0) {
                draw_still(a, &v);
                SDL_SetRenderTarget(c->r, prev);
                a->layer_key = k;
                a->layer_valid = true;
            }
        }
        if (a->layer_valid) {
            SDL_SetTextureBlendMode(a->layer, SDL_BLENDMODE_NONE);
            SDL_RenderCopy(c->r, a->layer, NULL, NULL);
            draw_moving(a, &v);
            ui_text_frame_end(c->text);
            return;
        }
    }
    draw_still(a, &v);
    draw_moving(a, &v);
    if (a->picking)
        ui_picker_draw(c, &a->lay, &a->picker);
    if (a->help)
        ui_help_draw(c, &a->lay);
    ui_text_frame_end(c->text);
}

/* ---- input -------------------------------------------------------------------------------- */

void ui_app_screenshot_name(const ui_app *a, char *out, size_t cap)
{
    struct stat st;
    for (int i = 1; i < 1000; i++) {
        if (i == 1)
            snprintf(out, cap, "smtpsim-%s-step%zu.png", a->id[0] ? a->id : "window", a->step);
        else
            snprintf(out, cap, "smtpsim-%s-step%zu-%d.png", a->id[0] ? a->id : "window", a->step,
                     i);
        if (stat(out, &st) != 0)
            return;
    }
}

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
    char name[200], err[400];
    if (ui_app_save_fork(a, name, sizeof name, err, sizeof err) == 0) {
        printf("saved what-if scenario: %s (open it with: smtpsim window %s)\n", name, name);
        if (a->win) {
            char t[300];
            snprintf(t, sizeof t, "smtpsim - what if: saved as %s", name);
            SDL_SetWindowTitle(a->win, t);
        }
    } else {
        fprintf(stderr, "smtpsim: %s\n", err);
    }
    fflush(stdout);
}

static void press(ui_app *a, int button)
{
    size_t n = step_count(a);
    switch (button) {
    case UI_BTN_HOME: ui_app_set_step(a, 0, 0); break;
    case UI_BTN_BACK: back(a); break;
    case UI_BTN_PLAY: ui_app_set_playing(a, !a->playing); break;
    case UI_BTN_NEXT: forward(a); break;
    case UI_BTN_END: ui_app_set_step(a, n ? n - 1 : 0, 1); break;
    case UI_BTN_SLOWER: if (a->speed > 0) a->speed--; break;
    case UI_BTN_SPEED: a->speed = SPEED_NORMAL; break;
    case UI_BTN_FASTER: if (a->speed + 1 < SPEED_COUNT) a->speed++; break;
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
    size_t n = step_count(a);
    if (act == UI_QUIZ_SHOW_ME) {
        ui_app_unfork(a); /* the lessons' steps are the original run's */
        n = step_count(a);
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

static void key(ui_app *a, const SDL_KeyboardEvent *k)
{
    SDL_Keycode sym = k->keysym.sym;
    bool ctrl = (k->keysym.mod & KMOD_CTRL) != 0;
    bool shift = (k->keysym.mod & KMOD_SHIFT) != 0;
    if (a->help) { /* any key closes the help */
        a->help = false;
        a->ate_question = true;
        return;
    }
    if (a->wi_edit) {
        wi_key(a, sym, ctrl);
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
        ui_quiz_action act = ui_quiz_key(a->quiz, sym);
        if (act != UI_QUIZ_IGNORED) {
            quiz_action(a, act);
            return;
        }
    }
    if (ctrl) {
        if (sym == SDLK_PLUS || sym == SDLK_EQUALS || sym == SDLK_KP_PLUS)
            ui_app_set_zoom(a, a->zoom * 1.1f);
        else if (sym == SDLK_MINUS || sym == SDLK_KP_MINUS)
            ui_app_set_zoom(a, a->zoom / 1.1f);
        else if (sym == SDLK_0 || sym == SDLK_KP_0)
            ui_app_set_zoom(a, 1.0f);
        else if (sym == SDLK_q || sym == SDLK_w)
            a->quit = true;
        else if (sym == SDLK_s && a->fork)
            save_fork_now(a);
        return;
    }
    switch (sym) {
    case SDLK_SPACE: press(a, UI_BTN_PLAY); break;
    case SDLK_RIGHT:
    case SDLK_PAGEDOWN:
    case SDLK_n:
    case SDLK_DOWN: press(a, UI_BTN_NEXT); break;
    case SDLK_LEFT:
    case SDLK_PAGEUP:
    case SDLK_p:
    case SDLK_UP: press(a, UI_BTN_BACK); break;
    case SDLK_HOME: press(a, UI_BTN_HOME); break;
    case SDLK_END: press(a, UI_BTN_END); break;
    case SDLK_PLUS:
    case SDLK_KP_PLUS:
    case SDLK_EQUALS: press(a, UI_BTN_FASTER); break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS: press(a, UI_BTN_SLOWER); break;
    case SDLK_0: press(a, UI_BTN_SPEED); break;
    case SDLK_b:
    case SDLK_RETURN: press(a, UI_BTN_BYTES); break;
    case SDLK_e: press(a, UI_BTN_EAVES); break;
    case SDLK_t: press(a, UI_BTN_THEME); break;
    case SDLK_s: press(a, UI_BTN_SCENARIO); break;
    case SDLK_q: press(a, UI_BTN_QUIZ); break;
    case SDLK_w:
        press(a, UI_BTN_WHATIF);
        a->wi_eat = a->wi_edit;
        break;
    case SDLK_f:
    case SDLK_F11: toggle_fullscreen(a); break;
    case SDLK_F12: a->shot_pending = true; break;
    case SDLK_F1: press(a, UI_BTN_HELP); break;
    case SDLK_QUESTION:
        press(a, UI_BTN_HELP);
        a->ate_question = true;
        break;
    case SDLK_SLASH:
        if (shift) {
            press(a, UI_BTN_HELP);
            a->ate_question = true;
        }
        break;
    case SDLK_ESCAPE:
        if (a->bytes)
            a->bytes = false;
        else if (a->fork)
            ui_app_unfork(a); /* Esc closes the what-if before it quits */
        else
            a->quit = true;
        break;
    default: break;
    }
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
    controls_state(a, &cs);
    int b = ui_controls_hit(c, &a->lay, &cs, x, y);
    if (b >= 0) {
        press(a, b);
        return;
    }
    size_t n = step_count(a);
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
    view_of(a, &v);
    long s = ui_panels_transcript_hit(c, &a->lay, &v, x, y);
    if (s >= 0) {
        ui_app_set_step(a, (size_t)s, 1);
        a->bytes = true;
    }
}

void ui_app_event(ui_app *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT: a->quit = true; break;
    case SDL_KEYDOWN: key(a, &e->key); break;
    case SDL_TEXTINPUT:
        if (a->wi_edit) {
            wi_text_input(a, e->text.text);
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
        size_t n = step_count(a);
        if (a->dragging && n) {
            ui_app_set_step(a, ui_controls_timeline_step(&a->lay, n, x), 1);
        } else {
            ui_controls_state cs;
            controls_state(a, &cs);
            a->hover = a->help || a->picking ? -1 : ui_controls_hit(&a->ctx, &a->lay, &cs, x, y);
        }
        break;
    }
    case SDL_MOUSEWHEEL:
        if (a->picking || a->help)
            break;
        if (e->wheel.y > 0)
            back(a);
        else if (e->wheel.y < 0) {
            forward(a);
            if (a->phase < 1) { /* the wheel moves whole steps */
                a->phase = 1;
                a->animating = false;
            }
        }
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

bool ui_app_quit_requested(const ui_app *a)
{
    return a->quit;
}

int ui_app_run(ui_app *a)
{
    /* Initialisation was ui_app_new; here: update, draw, present until quit. */
    SDL_StartTextInput();
    Uint64 last = SDL_GetTicks64();
    while (!a->quit) {
        SDL_Event e;
        bool busy = a->playing || a->animating || a->dragging;
        /* idle: wait for input instead of spinning */
        if (!busy && SDL_WaitEventTimeout(&e, 250))
            ui_app_event(a, &e);
        while (SDL_PollEvent(&e))
            ui_app_event(a, &e);
        Uint64 now = SDL_GetTicks64();
        uint64_t dt = now - last;
        last = now;
        ui_app_update(a, (uint32_t)(dt > 1000 ? 1000 : dt));
        ui_app_draw(a);
        if (a->shot_pending) {
            char name[128], err[256];
            ui_app_screenshot_name(a, name, sizeof name);
            if (ui_shot_save(a->ctx.r, name, err, sizeof err) == 0)
                printf("saved screenshot: %s\n", name);
            else
                fprintf(stderr, "smtpsim: screenshot: %s\n", err);
            fflush(stdout);
            a->shot_pending = false;
        }
        SDL_RenderPresent(a->ctx.r);
    }
    SDL_StopTextInput();
    return 0;
}

ui_ctx *ui_app_ctx(ui_app *a)
{
    return &a->ctx;
}

const ui_layout *ui_app_layout(const ui_app *a)
{
    return &a->lay;
}

SDL_Rect ui_app_token_rect(const ui_app *a)
{
    return a->token;
}
