/* ui_app_whatif.c - what if? (issue 7): the reply field on a server reply step, the fork that
 * replaces the shown world while it exists, and saving that fork as a scenario file.
 *
 * The field only edits text; everything after the changed reply comes from the engines
 * (world_new_fork), never from this file.
 */
#include "ui/ui_app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/world/scenario_fork.h"

/* ui_app_whatif_drop - free the fork and close the field (the original world is not touched). */
void ui_app_whatif_drop(ui_app *a)
{
    world_free(a->fork);
    a->fork = NULL;
    a->wi_edit = false;
    a->fork_gen++;
}
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
    ui_app_whatif_drop(a);
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
    ui_app_whatif_drop(a);
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
    return a->w && step < ui_app_step_count(a) &&
           world_reply_fault_for_step(a->w, step, NULL, verb, &nth) == 0;
}

bool ui_app_whatif_open(ui_app *a)
{
    if (!a->sc || !a->w || !ui_app_step_count(a))
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

/* ui_app_whatif_key - a key while the reply field is open: every key is taken (nothing else happens
 * while a reply is typed; printable characters arrive as SDL_TEXTINPUT). */
void ui_app_whatif_key(ui_app *a, SDL_Keycode sym, bool ctrl)
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

/* ui_app_whatif_text_input - typed text goes into the field. */
void ui_app_whatif_text_input(ui_app *a, const char *utf8)
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

/* ui_app_whatif_draw - the reply field, in the explanation panel's place. */
void ui_app_whatif_draw(ui_app *a)
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

