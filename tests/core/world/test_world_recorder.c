/* test_world_recorder.c - the one recorder of engine events: a real server engine's session
 * recorded into a live world (as `smtpsim live` does) gives the steps, verbs, texts and node
 * states the simulated world gives its own sessions; for SMTP, and for a POP3 server alone
 * (no client engine: its received commands are the steps, credentials hidden). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/pop3/pop3_server.h"
#include "core/retrieval/mailbox.h"
#include "core/retrieval/retr_engine.h"
#include "core/smtp/smtp_server.h"
#include "core/world/world.h"
#include "core/world/world_recorder.h"

static const char *const domains[] = {"example.org"};

typedef struct {
    world *w;
    smtp_server *srv;
    world_link link;
    uint64_t t;
} rig;

static void rig_start(rig *r)
{
    memset(r, 0, sizeof *r);
    r->w = world_new_live();
    assert_non_null(r->w);
    world_node mua = {.kind = WORLD_NODE_MUA, .role = "MUA", .name = "client", .host = "c"};
    world_node mx = {.kind = WORLD_NODE_MX, .role = "MX", .name = "MX", .host = "mx.example.org",
                     .port = 25};
    assert_int_equal(world_live_add_node(r->w, &mua), 0);
    assert_int_equal(world_live_add_node(r->w, &mx), 1);
    smtp_server_config cfg;
    smtp_server_config_default(&cfg, SMTP_ROLE_MX);
    cfg.hostname = "mx.example.org";
    cfg.local_domains = domains;
    cfg.n_local_domains = 1;
    r->srv = smtp_server_new(&cfg, NULL, 0);
    assert_non_null(r->srv);
    world_link_init(&r->link, 0, 1, 7, 25);
}

/* drain - record every event the engine has queued, as a driver does after each call */
static void drain(rig *r)
{
    smtp_event ev;
    while (smtp_server_next_event(r->srv, &ev)) {
        r->t += 10;
        world_record_event(r->w, &r->link, &ev, true, r->t, r->t + 1);
    }
    const char *out;
    size_t n = smtp_server_output(r->srv, &out);
    smtp_server_output_consumed(r->srv, n);
}

static void feed(rig *r, const char *s)
{
    smtp_server_feed(r->srv, s, strlen(s), r->t);
    drain(r);
}

static void rig_stop(rig *r)
{
    smtp_server_free(r->srv);
    world_free(r->w);
}

static const world_step *find(const world *w, world_step_kind kind, int code, const char *verb)
{
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->kind == kind && (!code || s->code == code) && (!verb || !strcmp(s->verb, verb)))
            return s;
    }
    return NULL;
}

static void test_session_steps(void **state)
{
    (void)state;
    rig r;
    rig_start(&r);
    drain(&r);
    feed(&r, "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\n");
    feed(&r, "DATA\r\n");
    feed(&r, "Subject: hi\r\n\r\nhello\r\n.\r\n");

    const world_step *g = world_step_at(r.w, 0);
    assert_non_null(g);
    assert_int_equal(g->kind, WORLD_STEP_REPLY);
    assert_string_equal(g->verb, "CONNECT"); /* the greeting answers the connection */
    assert_int_equal(g->code, 220);
    assert_int_equal(g->from, 1);
    assert_int_equal(g->to, 0);
    assert_int_equal(g->conn, 7);
    assert_int_equal(g->port, 25);
    assert_string_equal(world_step_arrow(g), "<-  ");

    const world_step *ehlo = find(r.w, WORLD_STEP_COMMAND, 0, "EHLO");
    assert_non_null(ehlo);
    assert_string_equal(ehlo->text, "EHLO c.example");
    assert_int_equal(ehlo->from, 0);
    assert_int_equal(ehlo->len, strlen("EHLO c.example\r\n"));
    assert_memory_equal(ehlo->bytes, "EHLO c.example\r\n", ehlo->len);
    assert_string_equal(world_step_arrow(ehlo), " -> ");

    const world_step *caps = find(r.w, WORLD_STEP_REPLY, 250, "EHLO");
    assert_non_null(caps);
    assert_true(!strncmp(caps->text, "250-mx.example.org (+", 21));
    assert_non_null(strstr(caps->text, " lines)"));

    assert_non_null(find(r.w, WORLD_STEP_REPLY, 354, "DATA"));
    const world_step *data = find(r.w, WORLD_STEP_DATA, 0, NULL);
    assert_non_null(data);
    assert_true(!strncmp(data->text, "message content (", 17));
    /* the reply after the content answers ".", not DATA */
    const world_step *end = find(r.w, WORLD_STEP_REPLY, 250, ".");
    assert_non_null(end);
    assert_true(end->index > data->index);

    /* the server node's state is the engine's own name for it */
    world_node_state st[2];
    world_state_at(r.w, world_step_count(r.w) - 1, st);
    assert_string_equal(st[1].state, smtp_server_state_name(smtp_server_state_get(r.srv)));
    rig_stop(&r);
}

static void test_text_is_one_safe_line(void **state)
{
    (void)state;
    rig r;
    rig_start(&r);
    drain(&r);
    feed(&r, "NOOP a\x01" "b\x7f\r\n");
    const world_step *noop = find(r.w, WORLD_STEP_COMMAND, 0, NULL);
    assert_non_null(noop);
    assert_string_equal(noop->text, "NOOP a?b?"); /* control characters never reach a terminal */
    char long_cmd[400] = "NOOP ";
    memset(long_cmd + 5, 'x', 350);
    strcpy(long_cmd + 355, "\r\n");
    feed(&r, long_cmd);
    const world_step *last = NULL;
    for (size_t i = 0; i < world_step_count(r.w); i++)
        if (world_step_at(r.w, i)->kind == WORLD_STEP_COMMAND)
            last = world_step_at(r.w, i);
    assert_non_null(last);
    assert_int_equal(strlen(last->text), 300);
    assert_int_equal(last->len, 357); /* the bytes stay whole */
    rig_stop(&r);
}

static void test_bad_link(void **state)
{
    (void)state;
    rig r;
    rig_start(&r);
    smtp_event ev = {.kind = SMTP_EV_COMMAND, .bytes = "NOOP\r\n", .len = 6, .verb = "NOOP",
                     .rfc = "", .key = ""};
    world_link bad;
    world_link_init(&bad, 0, 5, 1, 25); /* no node 5 */
    assert_null(world_record_event(r.w, &bad, &ev, true, 0, 1));
    assert_int_equal(world_step_count(r.w), 0);
    rig_stop(&r);
}

/* ---- POP3, the server engine alone, as `live` records it -------------------------------- */

/* retr_feed - one line to the server, then its events, as net_retr observes them */
static void retr_feed(world *w, world_retr_link *l, void *srv, const char *line, uint64_t t)
{
    const retr_engine_ops *o = &retr_engine_pop3_server;
    if (line)
        o->feed(srv, line, strlen(line), t);
    retr_event ev;
    while (o->next_event(srv, &ev))
        world_retr_record_event(w, l, &ev, true, t, t + 1);
    world_retr_record_flush(w, l);
    const char *out;
    o->consumed(srv, o->output(srv, &out));
}

static const world_step *find_text(const world *w, const char *prefix)
{
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->text && !strncmp(s->text, prefix, strlen(prefix)))
            return s;
    }
    return NULL;
}

static void test_pop3_server_alone(void **state)
{
    (void)state;
    world *w = world_new_live();
    assert_non_null(w);
    world_node reader = {.kind = WORLD_NODE_READER, .role = "MUA", .name = "r", .host = "r"};
    world_node ms = {.kind = WORLD_NODE_MS, .role = "MS", .name = "ms", .host = "ms", .port = 110};
    assert_int_equal(world_live_add_node(w, &reader), 0);
    assert_int_equal(world_live_add_node(w, &ms), 1);
    mailbox_mem *box = mailbox_mem_new(1710234000u);
    static const char msg[] = "Subject: hi\r\n\r\nhello\r\n";
    mailbox_mem_add(box, msg, strlen(msg), 1710230000, 0);
    mailbox_mem_account acct[1] = {{"bob", "s3cret", box}};
    mailbox_mem_directory dir = {acct, 1};
    void *srv = retr_engine_server_new(false, "ms.example.org", mailbox_mem_provider(&dir), true,
                                       false, false, 0);
    assert_non_null(srv);
    world_retr_link l;
    world_retr_link_init(&l, true, 0, 1, 3, 110, false);
    l.server_commands = true;
    world_retr_record_step(w, &l, WORLD_STEP_CONNECT, true, 0, 1, "connect");
    retr_feed(w, &l, srv, NULL, 1);
    retr_feed(w, &l, srv, "STLS\r\n", 2);
    world_retr_record_step(w, &l, WORLD_STEP_TLS, true, 3, 4, "TLS started");
    retr_engine_pop3_server.tls_started(srv, 4);
    retr_feed(w, &l, srv, NULL, 4);
    retr_feed(w, &l, srv, "USER bob\r\n", 5);
    retr_feed(w, &l, srv, "PASS s3cret\r\n", 6);
    retr_feed(w, &l, srv, "QUIT\r\n", 7);
    world_retr_record_step(w, &l, WORLD_STEP_CLOSE, true, 8, 9, "closed");
    assert_int_equal(l.failed, 0);

    const world_step *c = world_step_at(w, 0);
    assert_int_equal(c->kind, WORLD_STEP_CONNECT);
    assert_string_equal(c->key, "retr.connect");
    const world_step *g = world_step_at(w, 1);
    assert_int_equal(g->kind, WORLD_STEP_REPLY);
    assert_int_equal(g->from, 1);
    assert_string_equal(g->esc, "+OK");
    /* the greeting carries the server's move to AUTHORIZATION, as in the simulated hop */
    world_node_state st[2];
    world_state_at(w, 1, st);
    assert_string_equal(st[1].state, pop3_server_state_name(POP3_SRV_AUTHORIZATION));

    const world_step *stls = find_text(w, "STLS");
    assert_non_null(stls);
    assert_int_equal(stls->kind, WORLD_STEP_COMMAND);
    assert_int_equal(stls->from, 0);
    assert_int_equal(stls->to, 1);
    assert_false(stls->tls);
    const world_step *tls = find_text(w, "TLS started");
    assert_string_equal(tls->key, "retr.tls.stls");
    const world_step *user = find_text(w, "USER bob");
    assert_non_null(user);
    assert_true(user->tls);
    assert_string_equal(world_step_arrow(user), " ~> ");
    /* the password never reaches the timeline, neither in the text nor in the bytes */
    const world_step *pass = find_text(w, "PASS ");
    assert_non_null(pass);
    assert_string_equal(pass->text, "PASS <credentials hidden>");
    assert_int_equal(pass->len, strlen("PASS <credentials hidden>\r\n"));
    assert_memory_equal(pass->bytes, "PASS <credentials hidden>\r\n", pass->len);
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        assert_null(strstr(s->text, "s3cret"));
        assert_true(s->kind != WORLD_STEP_COMMAND || s->from == 0);
        assert_true(s->kind != WORLD_STEP_REPLY || s->from == 1);
    }
    assert_non_null(find_text(w, "+OK Logged in"));
    assert_non_null(find_text(w, "QUIT"));
    assert_int_equal(world_step_at(w, world_step_count(w) - 1)->kind, WORLD_STEP_CLOSE);
    retr_engine_pop3_server.free(srv);
    mailbox_mem_free(box);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pop3_server_alone),
        cmocka_unit_test(test_session_steps),
        cmocka_unit_test(test_text_is_one_safe_line),
        cmocka_unit_test(test_bad_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
