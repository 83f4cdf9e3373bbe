/* test_ui_layout.c - the window's layout checked as structure, not pixels: with a widget record
 * attached to the drawing context (ui_gfx.h), every frame says what it drew where, and the text
 * drawer says what it cut or let run past its widget. At classroom sizes (1024x768 projector,
 * 1280x720, 1280x800, 1920x1080, 3840x2160), for every theme and every zoom step Ctrl+/- can
 * reach, no two parts of one container intersect, every part lies inside its container, no text
 * leaves its widget, and labels a student must read (node lines, buttons, panel titles, the
 * step counter, the what-if banner) are never cut. Then the node graph: for every shipped
 * scenario the topology is the graph the run draws (each link joins two neighbouring columns
 * or a lookup below its asker), and no step's token label covers a node; and `live` once a
 * learner reads the mail back (the MS and the reader beside the Maildir). Runs under SDL's
 * software renderer on a surface, so no display is needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL.h>
#include <SDL_ttf.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pop3/pop3_server.h"
#include "core/world/scenario.h"
#include "core/world/world.h"
#include "core/world/world_recorder.h"
#include "ui/ui_app.h"
#include "ui/ui_flow.h"
#include "ui/ui_layout.h"

static const char *data_dir(void)
{
    const char *d = getenv("SMTPSIM_DATA");
    return d && *d ? d : ".";
}

/* A software renderer on a surface of w x h, and the window drawing into it. */
typedef struct {
    SDL_Surface *s;
    SDL_Renderer *r;
    ui_app *a;
    ui_widgets rec;
} frame;

static void frame_open(frame *f, int w, int h, const char *theme, const char *sc_id)
{
    f->s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_XRGB8888);
    assert_non_null(f->s);
    f->r = SDL_CreateSoftwareRenderer(f->s);
    assert_non_null(f->r);
    char err[512];
    ui_app_config cfg = {data_dir(), theme};
    f->a = ui_app_new(f->r, NULL, &cfg, err, sizeof err);
    assert_non_null(f->a);
    char path[1024];
    snprintf(path, sizeof path, "%s/lessons/scenarios/%s.json", data_dir(), sc_id);
    if (ui_app_load(f->a, path, err, sizeof err) != 0)
        fail_msg("%s: %s", sc_id, err);
    ui_app_ctx(f->a)->widgets = &f->rec;
}

static void frame_close(frame *f)
{
    ui_app_free(f->a);
    SDL_DestroyRenderer(f->r);
    SDL_FreeSurface(f->s);
}

/* draw - one frame, recorded. */
static void draw(frame *f)
{
    ui_gfx_widgets_reset(&f->rec);
    ui_app_draw(f->a);
    assert_true(f->rec.n > 0);
    assert_int_equal(f->rec.open, -1); /* every widget opened was closed */
}

static bool inside(SDL_Rect in, SDL_Rect out)
{
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w &&
           in.y + in.h <= out.y + out.h;
}

static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* must_read - widgets whose text may never be cut with "..." or lose lines. */
static bool must_read(const char *name)
{
    return starts(name, "node ") || starts(name, "button ") || starts(name, "panel title") ||
           starts(name, "step counter") || starts(name, "what-if banner") ||
           starts(name, "legend") || starts(name, "link label");
}

/* check_frame - the structure of the frame just drawn; where says which one, for messages. */
static void check_frame(const frame *f, const char *where)
{
    const ui_widgets *ws = &f->rec;
    SDL_Rect screen = {0, 0, f->s->w, f->s->h};
    for (int i = 0; i < ws->n; i++) {
        const ui_widget *a = &ws->w[i];
        SDL_Rect box = a->parent >= 0 ? ws->w[a->parent].r : screen;
        if (!inside(a->r, box))
            fail_msg("%s: '%s' {%d,%d %dx%d} is not inside '%s' {%d,%d %dx%d}", where, a->name,
                     a->r.x, a->r.y, a->r.w, a->r.h,
                     a->parent >= 0 ? ws->w[a->parent].name : "the window", box.x, box.y, box.w,
                     box.h);
        if (a->overflows)
            fail_msg("%s: text runs out of '%s'", where, a->name);
        if (must_read(a->name) && (a->elided || a->dropped))
            fail_msg("%s: text of '%s' is cut (%u cut, %u paragraphs short)", where, a->name,
                     a->elided, a->dropped);
        for (int j = i + 1; j < ws->n; j++) {
            const ui_widget *b = &ws->w[j];
            /* the travelling token is drawn over the still layer's flow, on purpose */
            if (b->parent != a->parent || starts(a->name, "flow (moving)") ||
                starts(b->name, "flow (moving)"))
                continue;
            if (SDL_HasIntersection(&a->r, &b->r))
                fail_msg("%s: '%s' {%d,%d %dx%d} and '%s' {%d,%d %dx%d} overlap", where, a->name,
                         a->r.x, a->r.y, a->r.w, a->r.h, b->name, b->r.x, b->r.y, b->r.w, b->r.h);
        }
    }
    /* the token: over no node and not over the legend */
    const ui_layout *lay = ui_app_layout(f->a);
    SDL_Rect tok = ui_app_token_rect(f->a);
    if (tok.w && ui_layout_blocked(lay, tok))
        fail_msg("%s: the token label covers a node or the legend", where);
}

/* scenario_ids - the ids of the shipped scenarios (the .json files in lessons/scenarios); how many. */
#define MAX_SCENARIOS 64
static int scenario_ids(char (*ids)[64])
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/lessons/scenarios", data_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) && n < MAX_SCENARIOS) {
        size_t len = strlen(e->d_name);
        if (len > 5 && len < 64 && !strcmp(e->d_name + len - 5, ".json"))
            snprintf(ids[n++], 64, "%.*s", (int)(len - 5), e->d_name);
    }
    closedir(d);
    return n;
}

static const char *const themes[] = {"default", "presenter", "dark"};
static const int sizes[][2] = {{1024, 768}, {1280, 720}, {1280, 800}, {1920, 1080}, {3840, 2160}};

/* every zoom Ctrl+/- reaches from 1.0 (x1.1 per press, within the app's limits) */
static int zoom_steps(float *out)
{
    int n = 0;
    for (float z = 1.0f; z >= UI_APP_ZOOM_MIN; z /= 1.1f)
        out[n++] = z;
    for (float z = 1.1f; z <= UI_APP_ZOOM_MAX * 1.1f; z *= 1.1f)
        out[n++] = z > UI_APP_ZOOM_MAX ? UI_APP_ZOOM_MAX : z;
    return n;
}

/* every theme at every size and zoom step: the widest scenario, mid-run with a token moving,
 * the explanation and the bytes inspector in turn */
static void test_every_size_theme_zoom(void **state)
{
    (void)state;
    float zooms[64];
    int nz = zoom_steps(zooms);
    for (size_t t = 0; t < sizeof themes / sizeof themes[0]; t++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            frame f;
            frame_open(&f, sizes[s][0], sizes[s][1], themes[t], "three-domains");
            for (int z = 0; z < nz; z++) {
                ui_app_set_zoom(f.a, zooms[z]);
                ui_app_set_step(f.a, 60, 0.5f);
                ui_app_set_bytes(f.a, z % 2 == 1); /* the inspector's title and close button */
                draw(&f);
                char where[96];
                snprintf(where, sizeof where, "%s %dx%d zoom %.2f", themes[t], sizes[s][0],
                         sizes[s][1], (double)zooms[z]);
                check_frame(&f, where);
            }
            frame_close(&f);
        }
}

/* every shipped scenario at the three sizes the issue names, every theme, at zoom 1, with the
 * bytes inspector and the explanation */
static void test_every_scenario(void **state)
{
    (void)state;
    static char ids[MAX_SCENARIOS][64];
    int count = scenario_ids(ids);
    static const int three[][2] = {{1024, 768}, {1280, 720}, {1920, 1080}};
    for (int i = 0; i < count; i++)
        for (size_t t = 0; t < sizeof themes / sizeof themes[0]; t++)
            for (size_t s = 0; s < 3; s++) {
                frame f;
                frame_open(&f, three[s][0], three[s][1], themes[t], ids[i]);
                size_t steps = world_step_count(ui_app_world(f.a));
                size_t at[3] = {steps / 3, steps / 2, steps - 1};
                for (int k = 0; k < 3; k++) {
                    ui_app_set_step(f.a, at[k], 0.5f);
                    ui_app_set_bytes(f.a, k == 1);
                    draw(&f);
                    char where[160];
                    snprintf(where, sizeof where, "%s %s %dx%d step %zu", ids[i], themes[t],
                             three[s][0], three[s][1], at[k]);
                    check_frame(&f, where);
                }
                frame_close(&f);
            }
    assert_true(count >= 20);
}

/* the what-if banner is whole in the presenter theme on a projector */
static void test_whatif_banner(void **state)
{
    (void)state;
    static const int at[][2] = {{1024, 768}, {1280, 800}, {1920, 1080}};
    for (size_t s = 0; s < 3; s++) {
        frame f;
        frame_open(&f, at[s][0], at[s][1], "presenter", "basic");
        char err[256];
        assert_int_equal(ui_app_fork(f.a, 41, "550 5.1.1 No such user", err, sizeof err), 0);
        ui_app_set_step(f.a, 45, 1.0f);
        draw(&f);
        bool seen = false;
        for (int i = 0; i < f.rec.n; i++)
            seen |= starts(f.rec.w[i].name, "what-if banner");
        assert_true(seen);
        check_frame(&f, "presenter what-if");
        frame_close(&f);
    }
}

/* columns: a link joins nodes of two columns, and a lookup service stands below its first
 * asker in the same column */
static void check_graph(const world *w, const ui_layout *lay, const char *id)
{
    size_t steps = world_step_count(w);
    bool asked[UI_MAX_NODES] = {false};
    for (size_t i = 0; i < steps; i++) {
        const world_step *st = world_step_at(w, i);
        if (st->from == st->to || st->from < 0 || st->to < 0)
            continue;
        int ca = lay->node_col[st->from], cb = lay->node_col[st->to];
        bool lookup = st->kind == WORLD_STEP_DNS_QUERY || st->kind == WORLD_STEP_DNS_ANSWER;
        if (lookup) { /* the service stands below the node that asks it first */
            if (st->kind == WORLD_STEP_DNS_QUERY && st->to < UI_MAX_NODES && !asked[st->to]) {
                asked[st->to] = true;
                if (ca != cb)
                    fail_msg("%s step %zu: a lookup is not in its asker's column", id, i);
            }
        } else if (ca == cb) {
            fail_msg("%s step %zu: nodes %d and %d of a link share column %d", id, i, st->from,
                     st->to, ca);
        }
    }
    for (size_t a = 0; a < lay->node_count; a++)
        for (size_t b = a + 1; b < lay->node_count; b++)
            if (lay->node_col[a] == lay->node_col[b] && lay->node_row[a] == lay->node_row[b])
                fail_msg("%s: nodes %zu and %zu share a cell", id, a, b);
}

/* every step of every shipped scenario: the token label covers no node (the layout's own
 * placement, without drawing every frame) */
static void test_tokens_never_cover_nodes(void **state)
{
    (void)state;
    static char ids[MAX_SCENARIOS][64];
    int count = scenario_ids(ids);
    for (int n = 0; n < count; n++) {
        const char *id = ids[n];
        for (size_t t = 0; t < 2; t++) {
            frame f;
            frame_open(&f, 1024, 768, themes[t], id);
            draw(&f);
            const world *w = ui_app_world(f.a);
            const ui_layout *lay = ui_app_layout(f.a);
            check_graph(w, lay, id);
            ui_ctx *c = ui_app_ctx(f.a);
            for (size_t i = 0; i < world_step_count(w); i++)
                for (int k = 0; k <= 4; k++) {
                    ui_view v = {w, i, k / 4.0f, false, NULL};
                    SDL_Rect pill;
                    float dx, dy;
                    if (ui_flow_token_rect(c, lay, &v, &pill, &dx, &dy) < 0)
                        continue;
                    if (ui_layout_blocked(lay, pill))
                        fail_msg("%s %s step %zu phase %.2f: token {%d,%d %dx%d} covers a node",
                                 id, themes[t], i, k / 4.0, pill.x, pill.y, pill.w, pill.h);
                    SDL_Rect in;
                    if (!SDL_IntersectRect(&pill, &lay->flow, &in) ||
                        memcmp(&in, &pill, sizeof in))
                        fail_msg("%s step %zu: token outside the flow", id, i);
                }
            frame_close(&f);
        }
    }
}

/* the fan-out itself: three-domains has the MTA's three MXs in one column, each in its own row
 * with its mailbox beside it; partial-failure's bounce path goes to Alice's MX, not through
 * mx.example.org */
static void test_fan_out(void **state)
{
    (void)state;
    frame f;
    frame_open(&f, 1280, 720, "default", "three-domains");
    draw(&f);
    const world *w = ui_app_world(f.a);
    const ui_layout *lay = ui_app_layout(f.a);
    int mta = -1, mx[3], nmx = 0, box[3], nbox = 0;
    for (size_t i = 0; i < world_node_count(w); i++) {
        const world_node *nd = world_node_at(w, i);
        if (nd->kind == WORLD_NODE_MTA)
            mta = (int)i;
        else if (nd->kind == WORLD_NODE_MX && nmx < 3)
            mx[nmx++] = (int)i;
        else if (nd->kind == WORLD_NODE_MAILBOX && nbox < 3)
            box[nbox++] = (int)i;
    }
    assert_int_equal(nmx, 3);
    assert_int_equal(nbox, 3);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(lay->node_col[mx[k]], lay->node_col[mta] + 1);
        assert_int_equal(lay->node_col[box[k]], lay->node_col[mx[k]] + 1);
        /* scenario order pairs each MX with the mailbox after it: same row, beside it */
        assert_int_equal(lay->node_row[box[k]], lay->node_row[mx[k]]);
        for (int j = 0; j < k; j++)
            assert_int_not_equal(lay->node_row[mx[k]], lay->node_row[mx[j]]);
    }
    frame_close(&f);
}

/* a kind of node the layout has never heard of, reached late: Bob's mail program fetching from
 * the mailbox server stands right of it, on its row (mail flows on to the reader) */
static int live_node(world *w, world_node_kind kind, const char *role, const char *host)
{
    world_node n;
    memset(&n, 0, sizeof n);
    n.kind = kind;
    snprintf(n.role, sizeof n.role, "%s", role);
    snprintf(n.name, sizeof n.name, "%s", host);
    snprintf(n.host, sizeof n.host, "%s", host);
    return world_live_add_node(w, &n);
}

static void live_step(world *w, world_step_kind kind, int from, int to, const char *text)
{
    world_step st;
    memset(&st, 0, sizeof st);
    st.kind = kind;
    st.from = from;
    st.to = to;
    st.text = text;
    st.key = "test";
    assert_int_equal(world_live_append_step(w, &st, NULL, NULL), 0);
}

static void test_late_reader(void **state)
{
    (void)state;
    world *w = world_new_live();
    int mua = live_node(w, WORLD_NODE_MUA, "MUA", "alice.example.com");
    int msa = live_node(w, WORLD_NODE_MSA, "MSA", "smtp.example.com");
    int mx = live_node(w, WORLD_NODE_MX, "MX", "mx.example.org");
    int store = live_node(w, (world_node_kind)42, "IMAP", "imap.example.org");
    int reader = live_node(w, (world_node_kind)43, "Reader", "bob.example.org");
    live_step(w, WORLD_STEP_CONNECT, mua, msa, "connect");
    live_step(w, WORLD_STEP_CONNECT, msa, mx, "connect");
    live_step(w, WORLD_STEP_DELIVER, mx, store, "delivered");
    live_step(w, WORLD_STEP_CONNECT, reader, store, "connect");
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1280, 720, 32, SDL_PIXELFORMAT_XRGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    char err[256];
    ui_app_config cfg = {data_dir(), "default"};
    ui_app *a = ui_app_new(r, NULL, &cfg, err, sizeof err);
    assert_non_null(a);
    ui_app_set_world(a, w, "reader");
    ui_app_draw(a);
    const ui_layout *lay = ui_app_layout(a);
    assert_int_equal(lay->node_col[mua], 0);
    assert_int_equal(lay->node_col[msa], 1);
    assert_int_equal(lay->node_col[mx], 2);
    assert_int_equal(lay->node_col[store], 3);
    assert_int_equal(lay->node_col[reader], 4);
    assert_int_equal(lay->node_row[reader], lay->node_row[store]);
    ui_app_free(a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
    world_free(w);
}

/* a retrieval line as a server engine reports it to `live` (net_retr) */
static void live_retr_line(world *w, world_retr_link *l, retr_event_kind kind, const char *line,
                           const char *status, int state_to)
{
    retr_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.bytes = line;
    ev.len = strlen(line);
    snprintf(ev.status, sizeof ev.status, "%s", status);
    ev.rfc = "RFC 1939 4";
    ev.key = "test";
    world_retr_record_event(w, l, &ev, true, 0, 1);
    if (state_to >= 0) {
        retr_event st = {.kind = RETR_EV_STATE, .state_to = state_to, .rfc = "", .key = ""};
        world_retr_record_event(w, l, &st, true, 0, 1);
    }
    world_retr_record_flush(w, l);
}

/* `smtpsim live` after a learner sent a message and read it back by POP3: the chain's five
 * nodes, then the mailbox server and the reading MUA added with the first retrieval session
 * (cmd_live.c's order and kinds), its steps recorded as live records them. Every step, at the
 * three classroom sizes and every theme: nothing overlaps, no label is cut. */
static void test_live_retrieval(void **state)
{
    (void)state;
    world *w = world_new_live();
    int mua = live_node(w, WORLD_NODE_MUA, "MUA", "client");
    int msa = live_node(w, WORLD_NODE_MSA, "MSA", "msa.smtpsim.test");
    int mta = live_node(w, WORLD_NODE_MTA, "MTA", "mta.smtpsim.test");
    int mx = live_node(w, WORLD_NODE_MX, "MX", "mx.smtpsim.test");
    int box = live_node(w, WORLD_NODE_MAILBOX, "Mailbox", "/tmp/smtpsim-live-XXXXXX");
    live_step(w, WORLD_STEP_CONNECT, mua, msa, "connect from 127.0.0.1:40000 to port 2587");
    live_step(w, WORLD_STEP_COMMAND, mua, msa, "EHLO client");
    live_step(w, WORLD_STEP_CONNECT, msa, mta, "connect from 127.0.0.1:40001 to port 2526");
    live_step(w, WORLD_STEP_CONNECT, mta, mx, "connect from 127.0.0.1:40002 to port 2525");
    live_step(w, WORLD_STEP_DELIVER, mx, box, "delivered: /tmp/smtpsim-live-XXXXXX/demo/new/1");
    int ms = live_node(w, WORLD_NODE_MS, "MS", "mx.smtpsim.test");
    int reader = live_node(w, WORLD_NODE_READER, "MUA", "reader");
    live_step(w, WORLD_STEP_CHECK, mx, ms, "mx.smtpsim.test serves the Maildir to your mail "
                                          "reader (POP3)");
    world_retr_link l;
    world_retr_link_init(&l, true, reader, ms, 4, 2110, false);
    l.server_commands = true;
    world_retr_record_step(w, &l, WORLD_STEP_CONNECT, true, 0, 1,
                           "connect from 127.0.0.1:40003 to port 2110 (POP3)");
    live_retr_line(w, &l, RETR_EV_RESPONSE, "+OK mx.smtpsim.test POP3 server ready\r\n", "+OK",
                   POP3_SRV_AUTHORIZATION);
    live_retr_line(w, &l, RETR_EV_COMMAND, "STLS\r\n", "", -1);
    live_retr_line(w, &l, RETR_EV_RESPONSE, "+OK Begin TLS negotiation\r\n", "+OK", -1);
    world_retr_record_step(w, &l, WORLD_STEP_TLS, true, 0, 1,
                           "TLS started: TLSv1.3 TLS_AES_256_GCM_SHA384");
    live_retr_line(w, &l, RETR_EV_COMMAND, "USER demo\r\n", "", -1);
    live_retr_line(w, &l, RETR_EV_RESPONSE, "+OK Send PASS\r\n", "+OK", -1);
    live_retr_line(w, &l, RETR_EV_COMMAND, "PASS <credentials hidden>\r\n", "", -1);
    live_retr_line(w, &l, RETR_EV_RESPONSE, "+OK Logged in, 1 message (700 octets)\r\n", "+OK",
                   POP3_SRV_TRANSACTION);
    live_retr_line(w, &l, RETR_EV_COMMAND, "QUIT\r\n", "", -1);
    live_retr_line(w, &l, RETR_EV_RESPONSE, "+OK Bye\r\n", "+OK", POP3_SRV_UPDATE);
    world_retr_record_step(w, &l, WORLD_STEP_CLOSE, true, 0, 1, "closed: session over");
    assert_int_equal(l.failed, 0);
    size_t n = world_step_count(w);
    assert_int_equal(n, 18);
    static const int three[][2] = {{1024, 768}, {1280, 720}, {1920, 1080}};
    for (size_t t = 0; t < sizeof themes / sizeof themes[0]; t++)
        for (size_t z = 0; z < 3; z++) {
            frame f;
            memset(&f, 0, sizeof f);
            f.s = SDL_CreateRGBSurfaceWithFormat(0, three[z][0], three[z][1], 32,
                                                 SDL_PIXELFORMAT_XRGB8888);
            f.r = SDL_CreateSoftwareRenderer(f.s);
            char err[256];
            ui_app_config cfg = {data_dir(), themes[t]};
            f.a = ui_app_new(f.r, NULL, &cfg, err, sizeof err);
            assert_non_null(f.a);
            ui_app_set_world(f.a, w, "live: real sessions on 127.0.0.1");
            ui_app_ctx(f.a)->widgets = &f.rec;
            for (size_t i = 0; i < n; i++) {
                ui_app_set_step(f.a, i, 0.5f);
                draw(&f);
                char where[96];
                snprintf(where, sizeof where, "live %s %dx%d step %zu", themes[t], three[z][0],
                         three[z][1], i);
                check_frame(&f, where);
            }
            /* the reader is a MUA of its own, not the sender's; the MS stands on the MX's
             * side, under the Maildir, with the reader beside it (as basic-and-read draws it) */
            const ui_layout *lay = ui_app_layout(f.a);
            assert_int_equal(lay->node_col[ms], lay->node_col[box]);
            assert_int_equal(lay->node_col[reader], lay->node_col[ms] + 1);
            assert_int_equal(lay->node_row[reader], lay->node_row[ms]);
            assert_true(lay->node_col[reader] != lay->node_col[mua] ||
                        lay->node_row[reader] != lay->node_row[mua]);
            frame_close(&f);
        }
    world_free(w);
}

static int setup(void **state)
{
    (void)state;
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    return SDL_Init(SDL_INIT_VIDEO) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    TTF_Quit();
    SDL_Quit();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fan_out),
        cmocka_unit_test(test_late_reader),
        cmocka_unit_test(test_live_retrieval),
        cmocka_unit_test(test_tokens_never_cover_nodes),
        cmocka_unit_test(test_whatif_banner),
        cmocka_unit_test(test_every_scenario),
        cmocka_unit_test(test_every_size_theme_zoom),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
