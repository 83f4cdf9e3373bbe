/* ui_quiz.c - the window's quiz panel (see ui_quiz.h). */
#include "ui/ui_quiz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/teach/catalog.h"
#include "core/teach/lesson.h"
#include "core/teach/lesson_run.h"
#include "core/teach/progress.h"
#include "core/teach/quiz.h"

struct ui_quiz {
    lesson *lessons[UI_QUIZ_MAX_LESSONS];
    size_t n_lessons;
    quiz *session;
    char session_err[160];
    /* predict questions placed on this world's steps */
    const lesson_question *pred[UI_QUIZ_MAX_PREDICT];
    long pred_step[UI_QUIZ_MAX_PREDICT];
    bool pred_done[UI_QUIZ_MAX_PREDICT];
    size_t n_pred;
    int pred_cur;
    /* the panel */
    ui_quiz_mode mode;
    char typed[UI_QUIZ_MAX_TYPED];
    unsigned mask;   /* multi: choices ticked */
    bool answered, correct;
    bool revealed;   /* a predict stop's answer shown without an answer (PageDown) */
    int chosen;      /* 1-based displayed number of the choice given, 0 none */
    size_t perm[LESSON_MAX_ITEMS]; /* predict stop: displayed position -> choice index */
    uint64_t rng;                  /* the shuffles of predict stops and sessions */
    bool no_predict;               /* the presenter turned predict stops off */
    quiz_feedback fb;
    char hint[96];
    unsigned rev;
    /* rectangles of the last draw, for clicks */
    SDL_Rect choice_rc[LESSON_MAX_CHOICES];
    size_t n_choice_rc;
    SDL_Rect show_rc, next_rc;
    size_t steps; /* in the world the questions were placed on */
    /* progress (progress.h): loaded from `prog_path`, saved after every answer */
    progress *prog;
    char prog_path[512];
    bool save_failed;
};

/* ---- loading ------------------------------------------------------------------------------ */

ui_quiz *ui_quiz_new(const char *data_dir, const char *scenario_id, const world *w)
{
    ui_quiz *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->rng = (uint64_t)time(NULL); /* a class sees other orders each run; shot pins it */
    q->n_lessons = catalog_lessons_asking(data_dir, scenario_id, q->lessons, UI_QUIZ_MAX_LESSONS);
    if (!q->n_lessons) {
        free(q);
        return NULL;
    }
    /* where each predict question stops */
    size_t n = w ? world_step_count(w) : 0;
    lesson_step_view *views = n ? calloc(n, sizeof *views) : NULL;
    for (size_t i = 0; i < n && views; i++) {
        const world_step *st = world_step_at(w, i);
        views[i] = (lesson_step_view){st->kind == WORLD_STEP_REPLY, st->verb, st->code, st->text};
    }
    for (size_t k = 0; k < q->n_lessons && views; k++) {
        lesson *l = q->lessons[k];
        for (size_t i = 0; i < l->n_questions && q->n_pred < UI_QUIZ_MAX_PREDICT; i++) {
            lesson_question *qu = &l->questions[i];
            if (qu->kind != LESSON_Q_PREDICT || !qu->has_at)
                continue;
            if (qu->at.scenario && strcmp(qu->at.scenario, scenario_id))
                continue;
            char err[200];
            long s = lesson_at_find(&qu->at, views, n, err, sizeof err);
            if (s <= 0)
                continue;
            lesson_predict_resolve(qu, views, n, err, sizeof err);
            q->pred[q->n_pred] = qu;
            q->pred_step[q->n_pred++] = s;
        }
    }
    free(views);
    q->steps = n;
    q->pred_cur = -1;
    return q;
}

void ui_quiz_free(ui_quiz *q)
{
    if (!q)
        return;
    quiz_free(q->session);
    progress_free(q->prog);
    for (size_t i = 0; i < q->n_lessons; i++)
        lesson_free(q->lessons[i]);
    free(q);
}

ui_quiz_mode ui_quiz_get_mode(const ui_quiz *q)
{
    return q ? q->mode : UI_QUIZ_OFF;
}

unsigned ui_quiz_revision(const ui_quiz *q)
{
    return q ? q->rev : 0;
}

size_t ui_quiz_predict_count(const ui_quiz *q)
{
    return q ? q->n_pred : 0;
}

static void reset_answer(ui_quiz *q)
{
    q->typed[0] = 0;
    q->mask = 0;
    q->answered = q->correct = q->revealed = false;
    q->chosen = 0;
    q->hint[0] = 0;
    memset(&q->fb, 0, sizeof q->fb);
    q->rev++;
}

void ui_quiz_open_session(ui_quiz *q)
{
    if (!q)
        return;
    if (!q->session || quiz_finished(q->session) || !quiz_current(q->session)) {
        quiz_free(q->session);
        quiz_options o;
        time_t now = time(NULL);
        quiz_options_init(&o, QUIZ_PRACTICE, (int64_t)now, quiz_rng(&q->rng));
        q->session = quiz_new((const lesson *const *)q->lessons, q->n_lessons, q->prog, &o,
                              q->session_err, sizeof q->session_err);
    }
    q->mode = UI_QUIZ_SESSION;
    reset_answer(q);
}

void ui_quiz_close(ui_quiz *q)
{
    if (!q)
        return;
    q->mode = UI_QUIZ_OFF;
    q->pred_cur = -1;
    q->rev++;
}

bool ui_quiz_predict_before(ui_quiz *q, size_t step)
{
    if (!q || q->no_predict)
        return false;
    for (size_t i = 0; i < q->n_pred; i++)
        if (q->pred_step[i] == (long)step && !q->pred_done[i]) {
            q->mode = UI_QUIZ_PREDICT;
            q->pred_cur = (int)i;
            reset_answer(q);
            quiz_shuffle_choices(q->pred[i], &q->rng, q->perm);
            return true;
        }
    return false;
}

void ui_quiz_set_seed(ui_quiz *q, uint64_t seed)
{
    if (q)
        q->rng = seed;
}

void ui_quiz_set_predict(ui_quiz *q, bool on)
{
    if (!q)
        return;
    q->no_predict = !on;
    if (!on && q->mode == UI_QUIZ_PREDICT)
        ui_quiz_close(q);
    q->rev++;
}

bool ui_quiz_predict_on(const ui_quiz *q)
{
    return q && !q->no_predict;
}

static const lesson_question *current(const ui_quiz *q)
{
    if (q->mode == UI_QUIZ_PREDICT && q->pred_cur >= 0)
        return q->pred[q->pred_cur];
    if (q->mode == UI_QUIZ_SESSION && q->session)
        return quiz_current(q->session);
    return NULL;
}

int ui_quiz_use_progress(ui_quiz *q, const char *path, char *err, size_t errlen)
{
    if (!q || !path || !*path)
        return 0;
    progress *p = NULL;
    progress_status st = progress_load(path, &p, err, errlen);
    if (st == PROGRESS_ERROR)
        return -1; /* unreadable: quiz on without keeping progress, never overwrite it */
    progress_free(q->prog);
    q->prog = p;
    snprintf(q->prog_path, sizeof q->prog_path, "%s", path);
    q->save_failed = false;
    /* a session already open was made without it: the next opening uses it */
    if (q->session && q->mode != UI_QUIZ_SESSION) {
        quiz_free(q->session);
        q->session = NULL;
    }
    return st == PROGRESS_DAMAGED ? 1 : 0;
}

const char *ui_quiz_progress_path(const ui_quiz *q)
{
    return q && q->prog ? q->prog_path : NULL;
}

/* keep - save the progress after an answer (atomically, progress_save); a failure is said once
 * on stderr and in the panel, and quizzing goes on. */
static void keep(ui_quiz *q)
{
    if (!q->prog)
        return;
    char err[700];
    if (progress_save(q->prog, q->prog_path, err, sizeof err) != 0) {
        if (!q->save_failed)
            fprintf(stderr, "smtpsim: %s\n", err);
        q->save_failed = true;
        snprintf(q->hint, sizeof q->hint, "Progress not saved (see the terminal).");
    } else {
        q->save_failed = false;
    }
}

long ui_quiz_show_step(const ui_quiz *q)
{
    const lesson_question *qu = q ? current(q) : NULL;
    if (!qu)
        return -1;
    for (size_t i = 0; i < q->n_pred; i++)
        if (q->pred[i] == qu)
            return q->pred_step[i];
    /* questions bound to no step: the narration step that talks about the same thing */
    return lesson_narration_step(qu, q->steps);
}

const lesson_question *ui_quiz_current(const ui_quiz *q)
{
    return q ? current(q) : NULL;
}

/* ---- answering ---------------------------------------------------------------------------- */

static bool typed_kind(const lesson_question *qu)
{
    return qu->kind == LESSON_Q_SHORT || qu->kind == LESSON_Q_ORDER ||
           qu->kind == LESSON_Q_MATCH || (qu->kind == LESSON_Q_PREDICT && !qu->n_choices);
}

static size_t n_choices(const lesson_question *qu)
{
    return qu->kind == LESSON_Q_TRUEFALSE ? 2 : qu->n_choices;
}

/* shown - the choice index (identity) displayed at position pos: the session's shuffle, or the
 * predict stop's own. */
static size_t shown(const ui_quiz *q, size_t pos)
{
    if (q->mode == UI_QUIZ_SESSION && q->session)
        return quiz_display(q->session, pos);
    return pos < LESSON_MAX_ITEMS ? q->perm[pos] : pos;
}

/* submit - grade what was given: the session's engine, or quiz_grade for a predict stop. */
static void submit(ui_quiz *q)
{
    const lesson_question *qu = current(q);
    if (!qu || q->answered)
        return;
    quiz_answer a;
    memset(&a, 0, sizeof a);
    char err[128] = "";
    if (typed_kind(qu)) {
        if (!q->typed[0]) {
            snprintf(q->hint, sizeof q->hint, "Type your answer, then press Enter.");
            q->rev++;
            return;
        }
        if (q->mode == UI_QUIZ_SESSION) {
            if (quiz_parse(q->session, q->typed, &a, err, sizeof err) != 0) {
                snprintf(q->hint, sizeof q->hint, "%s", err);
                q->rev++;
                return;
            }
        } else {
            snprintf(a.text, sizeof a.text, "%s", q->typed);
        }
    } else if (qu->kind == LESSON_Q_MULTI) {
        if (!q->mask) {
            snprintf(q->hint, sizeof q->hint, "Tick one or more choices, then press Enter.");
            q->rev++;
            return;
        }
        /* ticks are displayed positions; the answer holds the choices' identities */
        for (size_t pos = 0; pos < qu->n_choices; pos++)
            if ((q->mask >> pos) & 1u)
                a.mask |= 1u << shown(q, pos);
    } else if (qu->kind == LESSON_Q_TRUEFALSE) {
        if (!q->chosen)
            return;
        a.tf = q->chosen == 1;
    } else {
        if (!q->chosen)
            return;
        a.choice = (int)shown(q, (size_t)q->chosen - 1) + 1;
    }
    if (q->mode == UI_QUIZ_SESSION) {
        quiz_status st = quiz_submit(q->session, &a, (int64_t)time(NULL), &q->fb);
        if (st != QUIZ_OK) {
            snprintf(q->hint, sizeof q->hint, "%s",
                     st == QUIZ_BAD_ANSWER ? "That answer does not fit the question."
                                           : "This question is over.");
            q->rev++;
            return;
        }
        q->correct = q->fb.correct;
    } else {
        q->correct = quiz_grade(qu, q->perm, &a, &q->fb);
        /* the session engine records its own answers; a predict stop is recorded here */
        if (q->prog)
            progress_record(q->prog, qu->id, q->correct, (int64_t)time(NULL));
    }
    q->answered = true;
    q->hint[0] = 0;
    keep(q);
    q->rev++;
}

/* reveal - a predict stop's answer shown with nothing recorded: a presenter's clicker sends only
 * PageDown, and must never get stuck on a question. */
static void reveal(ui_quiz *q)
{
    const lesson_question *qu = current(q);
    quiz_answer none;
    memset(&none, 0, sizeof none);
    quiz_grade(qu, q->perm, &none, &q->fb);
    q->fb.why_not = NULL;
    q->answered = q->revealed = true;
    q->correct = false;
    q->hint[0] = 0;
    q->rev++;
}

static ui_quiz_action next(ui_quiz *q)
{
    if (q->mode == UI_QUIZ_PREDICT) {
        if (q->pred_cur >= 0)
            q->pred_done[q->pred_cur] = true;
        ui_quiz_close(q);
        return UI_QUIZ_CONTINUE;
    }
    if (q->session) {
        quiz_next(q->session);
        if (!quiz_current(q->session))
            quiz_finish(q->session, (int64_t)time(NULL));
    }
    reset_answer(q);
    return UI_QUIZ_NONE;
}

static ui_quiz_action choose(ui_quiz *q, int i)
{
    const lesson_question *qu = current(q);
    if (!qu || q->answered || i < 1 || (size_t)i > n_choices(qu))
        return UI_QUIZ_NONE;
    if (qu->kind == LESSON_Q_MULTI) {
        q->mask ^= 1u << (i - 1);
        q->rev++;
        return UI_QUIZ_NONE;
    }
    q->chosen = i;
    submit(q);
    return UI_QUIZ_NONE;
}

ui_quiz_action ui_quiz_key(ui_quiz *q, SDL_Keycode key)
{
    if (!q || q->mode == UI_QUIZ_OFF)
        return UI_QUIZ_IGNORED;
    const lesson_question *qu = current(q);
    if (key == SDLK_ESCAPE || key == SDLK_q) {
        if (key == SDLK_q && qu && typed_kind(qu) && !q->answered)
            return UI_QUIZ_NONE; /* a letter being typed: TEXTINPUT takes it */
        bool was_predict = q->mode == UI_QUIZ_PREDICT;
        if (was_predict && q->pred_cur >= 0)
            q->pred_done[q->pred_cur] = true; /* skipped: do not stop here again */
        ui_quiz_close(q);
        return was_predict ? UI_QUIZ_CONTINUE : UI_QUIZ_CLOSE;
    }
    if (key == SDLK_TAB && ui_quiz_show_step(q) >= 0)
        return UI_QUIZ_SHOW_ME;
    if (!qu)
        return key == SDLK_RETURN || key == SDLK_KP_ENTER ? (ui_quiz_close(q), UI_QUIZ_CLOSE)
                                                          : UI_QUIZ_IGNORED;
    if (key == SDLK_RETURN || key == SDLK_KP_ENTER) {
        if (q->answered)
            return next(q);
        submit(q);
        return UI_QUIZ_NONE;
    }
    if (!q->answered && q->mode == UI_QUIZ_PREDICT && key == SDLK_PAGEDOWN) {
        reveal(q);
        return UI_QUIZ_NONE;
    }
    if (q->answered) /* stepping keys work while the feedback is read */
        return key == SDLK_RIGHT || key == SDLK_PAGEDOWN ? next(q) : UI_QUIZ_IGNORED;
    if (typed_kind(qu)) {
        size_t n = strlen(q->typed);
        if (key == SDLK_BACKSPACE && n) {
            q->typed[n - 1] = 0;
            q->rev++;
        }
        /* printable keys arrive as text input */
        return key >= SDLK_SPACE && key <= SDLK_z ? UI_QUIZ_NONE : UI_QUIZ_IGNORED;
    }
    if (key >= SDLK_1 && key <= SDLK_9)
        return choose(q, (int)(key - SDLK_1) + 1);
    if (key >= SDLK_KP_1 && key <= SDLK_KP_9)
        return choose(q, (int)(key - SDLK_KP_1) + 1);
    if (key >= SDLK_a && key <= SDLK_d)
        return choose(q, (int)(key - SDLK_a) + 1);
    if (qu->kind == LESSON_Q_TRUEFALSE && (key == SDLK_t || key == SDLK_f))
        return choose(q, key == SDLK_t ? 1 : 2);
    return UI_QUIZ_IGNORED;
}

ui_quiz_action ui_quiz_text(ui_quiz *q, const char *utf8)
{
    if (!q || q->mode == UI_QUIZ_OFF)
        return UI_QUIZ_IGNORED;
    const lesson_question *qu = current(q);
    if (!qu || q->answered || !typed_kind(qu))
        return UI_QUIZ_IGNORED;
    size_t n = strlen(q->typed), m = strlen(utf8);
    if (n + m < sizeof q->typed) {
        memcpy(q->typed + n, utf8, m + 1);
        q->rev++;
    }
    return UI_QUIZ_NONE;
}

ui_quiz_action ui_quiz_click(ui_quiz *q, ui_ctx *c, SDL_Rect area, int x, int y)
{
    (void)c;
    if (!q || q->mode == UI_QUIZ_OFF || !ui_gfx_inside(area, x, y))
        return UI_QUIZ_IGNORED;
    if (q->show_rc.w && ui_gfx_inside(q->show_rc, x, y))
        return UI_QUIZ_SHOW_ME;
    if (q->next_rc.w && ui_gfx_inside(q->next_rc, x, y))
        return ui_quiz_key(q, SDLK_RETURN);
    for (size_t i = 0; i < q->n_choice_rc; i++)
        if (ui_gfx_inside(q->choice_rc[i], x, y))
            return choose(q, (int)i + 1);
    return UI_QUIZ_NONE;
}

/* ---- drawing ------------------------------------------------------------------------------ */

static SDL_Rect button(ui_ctx *c, int x, int y, const char *label, bool primary)
{
    const ui_theme *th = c->theme;
    int w, h;
    ui_text_size(c->text, UI_FONT_SANS_BOLD, c->fs_small, label, &w, &h);
    SDL_Rect rc = {x, y, w + 2 * c->pad, h + c->pad / 2};
    ui_gfx_box(c->r, rc, c->radius / 2, primary ? th->button_on : th->button, th->panel_border,
               1);
    ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_small,
                 primary ? th->button_on_text : th->button_text, label, rc.x + rc.w / 2,
                 rc.y + rc.h / 2, UI_ALIGN_CENTER | UI_ALIGN_MIDDLE);
    return rc;
}

void ui_quiz_draw(ui_quiz *q, ui_ctx *c, SDL_Rect area)
{
    const ui_theme *th = c->theme;
    q->n_choice_rc = 0;
    q->show_rc = q->next_rc = (SDL_Rect){0, 0, 0, 0};
    ui_gfx_box(c->r, area, c->radius, th->panel, th->node_active, c->line);
    int x = area.x + c->pad, y = area.y + c->pad / 2, w = area.w - 2 * c->pad;
    int bottom = area.y + area.h - c->pad / 2;
    int lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_body);
    const lesson_question *qu = current(q);
    char buf[1200];
    if (q->mode == UI_QUIZ_PREDICT)
        snprintf(buf, sizeof buf, "Predict the reply");
    else if (qu && q->session)
        snprintf(buf, sizeof buf, "Quiz: %s (%zu of %zu)", qu->lesson ? qu->lesson->title : "",
                 quiz_position(q->session) + 1, quiz_total(q->session));
    else
        snprintf(buf, sizeof buf, "Quiz");
    y += ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->title, buf, x, y, w, 0);
    if (!qu) {
        if (q->session) {
            size_t right = 0, answered = 0, total = 0;
            quiz_score(q->session, &right, &answered, &total);
            /* unanswered questions count as wrong, as in the terminal */
            snprintf(buf, sizeof buf, "Done: %zu of %zu right (%u%%), %zu answered. "
                                      "Press Enter or Q to close.", right, total,
                     quiz_percent(q->session), answered);
        } else {
            snprintf(buf, sizeof buf, "No questions: %s", q->session_err);
        }
        ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text, buf, x, y, w, bottom - y);
        return;
    }
    if (q->answered) {
        /* feedback: the verdict with a shape, the right answer, why */
        ui_reply_class k = q->correct ? UI_REPLY_2XX : UI_REPLY_5XX;
        float sz = lh * 0.8f;
        ui_gfx_reply_shape(c->r, k, x + sz / 2, y + lh / 2.0f, sz, th->reply[k],
                           th->reply_text[k]);
        ui_text_draw(c->text, UI_FONT_SANS_BOLD, c->fs_body, th->text,
                     q->revealed  ? "The server answers:"
                     : q->correct ? "Right."
                                  : "Not quite.",
                     x + (int)sz + c->pad / 2, y, UI_ALIGN_LEFT);
        y += lh;
        if (!q->correct && q->fb.right[0]) {
            snprintf(buf, sizeof buf, "Answer: %s", q->fb.right);
            if (q->fb.given[0] && !q->revealed)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " (yours: %s)",
                         q->fb.given);
            y += ui_text_draw_wrap(c->text, UI_FONT_SANS_BOLD, c->fs_small, th->text, buf, x, y,
                                   w, bottom - y);
        }
        if (q->fb.detail[0])
            y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text, q->fb.detail, x,
                                   y, w, bottom - y - lh);
        if (q->fb.why_not)
            y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text, q->fb.why_not,
                                   x, y, w, bottom - y - lh);
        int btn_h = lh + c->pad;
        if (q->fb.explanation)
            y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_small, th->text_dim,
                                   q->fb.explanation, x, y, w, bottom - y - btn_h);
        int by = bottom - btn_h;
        q->next_rc = button(c, x, by, q->mode == UI_QUIZ_PREDICT ? "Continue (Enter)"
                                                                  : "Next question (Enter)",
                            true);
        if (ui_quiz_show_step(q) >= 0)
            q->show_rc = button(c, q->next_rc.x + q->next_rc.w + c->pad, by, "Show me (Tab)",
                                false);
        return;
    }
    y += ui_text_draw_wrap(c->text, UI_FONT_SANS, c->fs_body, th->text, qu->prompt, x, y, w,
                           bottom - y) +
         c->pad / 2;
    int small_lh = ui_text_line_height(c->text, UI_FONT_SANS, c->fs_small) + c->pad / 4;
    if (qu->kind == LESSON_Q_ORDER || qu->kind == LESSON_Q_MATCH) {
        size_t n = qu->kind == LESSON_Q_ORDER ? qu->n_items : qu->n_pairs;
        for (size_t i = 0; i < n && y + small_lh < bottom; i++) {
            size_t shown = q->session ? quiz_display(q->session, i) : i;
            if (qu->kind == LESSON_Q_ORDER)
                snprintf(buf, sizeof buf, "%zu. %s", i + 1, qu->items[shown]);
            else
                snprintf(buf, sizeof buf, "%zu. %s  \xE2\x86\x92  %c. %s", i + 1, qu->left[i],
                         (char)('a' + i), qu->right[shown]);
            ui_text_draw_fit(c->text, UI_FONT_SANS, c->fs_small, th->text, buf, x, y,
                             UI_ALIGN_LEFT, w);
            y += small_lh;
        }
    } else if (!typed_kind(qu)) {
        size_t n = n_choices(qu);
        for (size_t i = 0; i < n && y + small_lh <= bottom; i++) {
            const char *text = qu->kind == LESSON_Q_TRUEFALSE ? (i ? "False" : "True")
                                                              : qu->choices[shown(q, i)];
            bool ticked = (q->mask >> i) & 1u;
            snprintf(buf, sizeof buf, "%s%zu / %c   %s", ticked ? "[x] " : "", i + 1,
                     (char)('A' + i), text);
            SDL_Rect rc = {x - c->pad / 2, y, w + c->pad, small_lh};
            if (ticked)
                ui_gfx_fill(c->r, rc, th->highlight);
            ui_text_draw_fit(c->text, UI_FONT_SANS, c->fs_small,
                             ticked ? th->highlight_text : th->text, buf, x, y + c->pad / 8,
                             UI_ALIGN_LEFT, w);
            q->choice_rc[q->n_choice_rc++] = rc;
            y += small_lh;
        }
    }
    y += c->pad / 2;
    const char *how = qu->kind == LESSON_Q_MULTI ? "Tick with 1-9 or a click, then Enter."
                      : qu->kind == LESSON_Q_ORDER ? "Type the numbers in order (\"312\"), Enter."
                      : qu->kind == LESSON_Q_MATCH ? "Type a letter for each line (\"bac\"), Enter."
                      : typed_kind(qu)            ? "Type your answer, then Enter."
                      : q->mode == UI_QUIZ_PREDICT
                          ? "Press 1-9 or A-D, or click; PageDown shows the answer."
                          : "Press 1-9 or A-D, or click a choice.";
    if (typed_kind(qu) && y + lh < bottom) {
        snprintf(buf, sizeof buf, "Your answer: %s_", q->typed);
        y += ui_text_draw_wrap(c->text, UI_FONT_MONO_BOLD, c->fs_mono, th->text, buf, x, y, w,
                               bottom - y);
    }
    if (y + small_lh <= bottom)
        ui_text_draw_fit(c->text, UI_FONT_SANS, c->fs_small, th->text_dim,
                         q->hint[0] ? q->hint : how, x, y, UI_ALIGN_LEFT, w);
}

size_t ui_quiz_narration(const ui_quiz *q, size_t step, char *out, size_t cap)
{
    if (!cap)
        return 0;
    out[0] = 0;
    /* the first lesson that narrates the step: two lessons of one scenario often say the
     * same thing at its first steps, and one voice at a time reads better */
    for (size_t i = 0; q && i < q->n_lessons; i++) {
        const lesson *l = q->lessons[i];
        for (size_t k = 0; k < l->n_narration; k++)
            if (l->narration[k].step == (long)step && l->narration[k].text) {
                snprintf(out, cap, "%s", l->narration[k].text);
                return strlen(out);
            }
    }
    return 0;
}
