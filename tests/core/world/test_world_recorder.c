/* test_world_recorder.c - the one recorder of engine events: a real server engine's session
 * recorded into a live world (as `smtpsim live` does) gives the steps, verbs, texts and node
 * states the simulated world gives its own sessions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_steps),
        cmocka_unit_test(test_text_is_one_safe_line),
        cmocka_unit_test(test_bad_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
