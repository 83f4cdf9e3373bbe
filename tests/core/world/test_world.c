/* test_world.c - the simulated world: the basic path, determinism, state_at exactness, every
 * behaviour a scenario can ask for, the what-if fork and live timelines.
 *
 * Each test starts from lessons/scenarios/basic.json and changes it with cJSON (as a scenario
 * author would), so the behaviour under test comes from the engines and the world, never from
 * a scripted transcript. Run from the repository root (tests/run_tests.sh does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cJSON.h>
#include <cmocka.h>

#include "core/world/scenario.h"
#include "core/export/transcript.h"
#include "core/world/world.h"

#define BASIC "lessons/scenarios/basic.json"

typedef struct {
    scenario *sc;
    world *w;
} fixture;

static cJSON *base(void)
{
    FILE *f = fopen(BASIC, "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *root = cJSON_Parse(buf);
    assert_non_null(root);
    return root;
}

static cJSON *node(cJSON *root, const char *id)
{
    cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItem(root, "nodes"))
    {
        if (!strcmp(cJSON_GetObjectItem(n, "id")->valuestring, id))
            return n;
    }
    fail_msg("no node %s", id);
    return NULL;
}

static void set(cJSON *obj, const char *field, cJSON *value)
{
    if (cJSON_GetObjectItem(obj, field))
        cJSON_ReplaceItemInObject(obj, field, value);
    else
        cJSON_AddItemToObject(obj, field, value);
}

static cJSON *parse(const char *json)
{
    cJSON *j = cJSON_Parse(json);
    assert_non_null(j);
    return j;
}

static void add_node(cJSON *root, const char *json)
{
    cJSON_AddItemToArray(cJSON_GetObjectItem(root, "nodes"), parse(json));
}

static void add_dns(cJSON *root, const char *json)
{
    cJSON_AddItemToArray(cJSON_GetObjectItem(root, "dns"), parse(json));
}

/* with_sender_mailbox - an mx for example.com (an MX record, not basic's implicit MX) and
 * Alice's mailbox behind it, so bounces can arrive. */
static void with_sender_mailbox(cJSON *root)
{
    cJSON *nodes = cJSON_GetObjectItem(root, "nodes");
    for (int i = cJSON_GetArraySize(nodes) - 1; i >= 0; i--) {
        const char *id = cJSON_GetObjectItem(cJSON_GetArrayItem(nodes, i), "id")->valuestring;
        if (!strcmp(id, "inbound") || !strcmp(id, "alice-box"))
            cJSON_DeleteItemFromArray(nodes, i);
    }
    cJSON *dns = cJSON_GetObjectItem(root, "dns");
    for (int i = cJSON_GetArraySize(dns) - 1; i >= 0; i--)
        if (!strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(dns, i), "name")->valuestring,
                    "example.com"))
            cJSON_DeleteItemFromArray(dns, i);
    add_node(root, "{\"id\": \"mx-com\", \"kind\": \"mx\", \"host\": \"mx.example.com\", "
                   "\"addr\": \"192.0.2.30\", \"domains\": [\"example.com\"]}");
    add_node(root, "{\"id\": \"alice-box\", \"kind\": \"mailbox\", \"address\": "
                   "\"alice@example.com\"}");
    add_dns(root, "{\"name\": \"example.com\", \"type\": \"MX\", \"value\": \"mx.example.com\"}");
}

static fixture build(cJSON *root)
{
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    assert_non_null(text);
    char err[1024] = "";
    fixture fx;
    fx.sc = scenario_load_buffer("test.json", text, strlen(text), err, sizeof err);
    free(text);
    if (!fx.sc)
        fail_msg("scenario: %s", err);
    fx.w = world_new(fx.sc, err, sizeof err);
    if (!fx.w)
        fail_msg("world: %s", err);
    return fx;
}

static void done(fixture *fx)
{
    world_free(fx->w);
    scenario_free(fx->sc);
}

/* find - the first step at or after `from` of `kind` whose text contains `sub` (NULL: any). */
static long find(const world *w, size_t from, world_step_kind kind, const char *sub)
{
    for (size_t i = from; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->kind == kind && (!sub || strstr(s->text, sub)))
            return (long)i;
    }
    return -1;
}

/* find_key - the first step at or after `from` with this explain key. */
static long find_key(const world *w, size_t from, const char *key)
{
    for (size_t i = from; i < world_step_count(w); i++)
        if (!strcmp(world_step_at(w, i)->key, key))
            return (long)i;
    return -1;
}

static long find_reply(const world *w, int code, const char *esc)
{
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        if (s->kind == WORLD_STEP_REPLY && s->code == code && (!esc || !strcmp(s->esc, esc)))
            return (long)i;
    }
    return -1;
}

static int mailbox_node(const world *w, const char *name_sub)
{
    for (size_t i = 0; i < world_node_count(w); i++) {
        const world_node *n = world_node_at(w, i);
        if (n->kind == WORLD_NODE_MAILBOX && strstr(n->name, name_sub))
            return (int)i;
    }
    return -1;
}

static size_t mailbox_count(const world *w, int node)
{
    size_t n = 0;
    while (world_mailbox_message(w, node, n, NULL))
        n++;
    return n;
}

/* ---- the basic path ----------------------------------------------------------------------- */

static void test_basic_path(void **state)
{
    (void)state;
    fixture fx = build(base());
    const world *w = fx.w;
    assert_int_equal(world_node_count(w), 8);
    assert_true(world_step_count(w) > 30);
    /* time never goes backwards, and every arrival is after its start */
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        assert_int_equal(s->index, i);
        assert_true(s->t_arrive_ms >= s->t_send_ms);
        assert_non_null(s->text);
        if (i)
            assert_true(s->t_send_ms >= world_step_at(w, i - 1)->t_send_ms);
    }
    /* the order of a submission: connect, 220, EHLO, STARTTLS, TLS, EHLO, AUTH, MAIL... */
    const world_step *s0 = world_step_at(w, 0);
    assert_int_equal(s0->kind, WORLD_STEP_CONNECT);
    assert_int_equal(s0->port, 587);
    long greet = find_reply(w, 220, NULL);
    long tls = find(w, 0, WORLD_STEP_TLS, "TLS 1.3 handshake (simulated)");
    long auth = find_reply(w, 235, "2.7.0");
    long mail = find(w, 0, WORLD_STEP_COMMAND, "MAIL FROM:<alice@example.com>");
    long mxq = find(w, 0, WORLD_STEP_DNS_QUERY, "example.org. MX");
    long mxa = find(w, 0, WORLD_STEP_DNS_ANSWER, "mx.example.org");
    long aq = find(w, 0, WORLD_STEP_DNS_QUERY, "mx.example.org. A");
    long conn25 = find(w, 1, WORLD_STEP_CONNECT, "port 25");
    long deliver = find(w, 0, WORLD_STEP_DELIVER, "bob@example.org");
    assert_true(greet > 0 && tls > greet && auth > tls && mail > auth);
    assert_true(mxq > mail && mxa > mxq && aq > mxa && conn25 > aq && deliver > conn25);
    assert_false(world_step_at(w, (size_t)greet)->tls);
    assert_true(world_step_at(w, (size_t)auth)->tls);
    /* the MTA used opportunistic STARTTLS on port 25 too */
    assert_true(find(w, (size_t)conn25, WORLD_STEP_TLS, NULL) > conn25);
    /* the delivered message, whole */
    int bob = mailbox_node(w, "Bob");
    assert_true(bob >= 0);
    size_t len;
    const char *m = world_mailbox_message(w, bob, 0, &len);
    assert_non_null(m);
    assert_int_equal(strlen(m), len);
    assert_memory_equal(m, "Return-Path: <alice@example.com>\r\n", 34);
    const char *r1 = strstr(m, "Received: from out.example.com");
    const char *r2 = strstr(m, "Received: from alice-laptop.example.com");
    assert_non_null(r1);
    assert_non_null(r2);
    assert_true(r1 < r2); /* newest on top (RFC 5321 4.4) */
    assert_non_null(strstr(r1, "by mx.example.org with ESMTPS"));
    assert_non_null(strstr(r2, "by smtp.example.com with ESMTPSA"));
    assert_non_null(strstr(m, "\r\n\r\nHi Bob,\r\n"));
    assert_null(world_mailbox_message(w, bob, 1, NULL));
    assert_null(world_mailbox_message(w, -1, 0, NULL));
    /* the password never shows unless asked */
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        assert_null(strstr(s->text, "wonderland"));
    }
    /* the DELIVER step carries the message */
    assert_string_equal(world_step_at(w, (size_t)deliver)->detail, m);
    /* final states */
    world_node_state st[8];
    world_state_at(w, world_step_count(w) - 1, st);
    assert_int_equal(st[5].mailbox_count, 1);
    assert_int_equal(st[2].queue_len, 0);
    assert_string_equal(st[0].state, "sent");
    for (int i = 0; i < 8; i++)
        assert_false(st[i].tls); /* every session is over */
    done(&fx);
}

static void test_deterministic(void **state)
{
    (void)state;
    fixture a = build(base()), b = build(base());
    assert_int_equal(world_step_count(a.w), world_step_count(b.w));
    for (size_t i = 0; i < world_step_count(a.w); i++) {
        const world_step *x = world_step_at(a.w, i), *y = world_step_at(b.w, i);
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->from, y->from);
        assert_int_equal(x->to, y->to);
        assert_int_equal(x->conn, y->conn);
        assert_int_equal(x->t_send_ms, y->t_send_ms);
        assert_int_equal(x->t_arrive_ms, y->t_arrive_ms);
        assert_string_equal(x->text, y->text);
        assert_int_equal(x->len, y->len);
        if (x->len)
            assert_memory_equal(x->bytes, y->bytes, x->len);
        assert_string_equal(x->verb, y->verb);
        assert_int_equal(x->code, y->code);
    }
    size_t la, lb;
    const char *ma = world_mailbox_message(a.w, 5, 0, &la), *mb = world_mailbox_message(b.w, 5, 0, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ma, mb, la);
    /* another seed changes the ids, not the shape */
    cJSON *r = base();
    set(r, "seed", cJSON_CreateNumber(7));
    fixture c = build(r);
    assert_int_equal(world_step_count(c.w), world_step_count(a.w));
    size_t lc;
    const char *mc = world_mailbox_message(c.w, 5, 0, &lc);
    assert_false(lc == la && !memcmp(mc, ma, la));
    done(&a);
    done(&b);
    done(&c);
}

static void test_state_at_exact(void **state)
{
    (void)state;
    fixture fx = build(base());
    size_t n = world_step_count(fx.w), nodes = world_node_count(fx.w);
    world_node_state *fwd = calloc(n * nodes, sizeof *fwd), *tmp = calloc(nodes, sizeof *tmp);
    assert_non_null(fwd);
    assert_non_null(tmp);
    for (size_t i = 0; i < n; i++)
        world_state_at(fx.w, i, fwd + i * nodes);
    for (size_t i = n; i-- > 0;) {
        world_state_at(fx.w, i, tmp);
        assert_memory_equal(tmp, fwd + i * nodes, nodes * sizeof *tmp);
    }
    world_state_at(fx.w, SIZE_MAX, tmp);
    assert_string_equal(tmp[1].state, "listening on 587");
    assert_int_equal(tmp[5].mailbox_count, 0);
    /* the server is "in DATA" at some point, and TLS shows on the MSA once started */
    bool saw_data = false, saw_tls = false;
    for (size_t i = 0; i < n; i++) {
        if (strstr(fwd[i * nodes + 1].state, "DATA") || strstr(fwd[i * nodes + 1].state, "data"))
            saw_data = true;
        if (fwd[i * nodes + 1].tls)
            saw_tls = true;
    }
    assert_true(saw_data);
    assert_true(saw_tls);
    free(fwd);
    free(tmp);
    done(&fx);
}

/* ---- behaviours --------------------------------------------------------------------------- */

static void test_unknown_recipient_bounce(void **state)
{
    (void)state;
    cJSON *r = base();
    with_sender_mailbox(r);
    cJSON *to = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "message"), "to");
    cJSON_ReplaceItemInArray(to, 0, cJSON_CreateString("nobody@example.org"));
    fixture fx = build(r);
    long rej = find_reply(fx.w, 550, "5.1.1");
    assert_true(rej > 0);
    assert_string_equal(world_step_at(fx.w, (size_t)rej)->verb, "RCPT");
    long b = find(fx.w, (size_t)rej, WORLD_STEP_BOUNCE, "delivery status notification");
    assert_true(b > rej);
    assert_true(find(fx.w, (size_t)b, WORLD_STEP_COMMAND, "MAIL FROM:<>") > b);
    int alice = mailbox_node(fx.w, "alice@example.com");
    assert_true(alice >= 0);
    const char *m = world_mailbox_message(fx.w, alice, 0, NULL);
    assert_non_null(m);
    assert_non_null(strstr(m, "Return-Path: <>"));
    assert_non_null(strstr(m, "multipart/report"));
    assert_non_null(strstr(m, "Status: 5.1.1"));
    assert_non_null(strstr(m, "nobody@example.org"));
    /* the MX answered: it is the Remote-MTA, its reply the smtp diagnostic (RFC 3464 2.3.5-6) */
    assert_non_null(strstr(m, "Remote-MTA: dns; mx.example.org\r\n"));
    assert_non_null(strstr(m, "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>"));
    assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "Bob")), 0);
    done(&fx);
}

/* A failure the MTA decides itself (null MX) names no Remote-MTA and no smtp diagnostic. */
static void test_null_mx_bounce_is_local(void **state)
{
    (void)state;
    cJSON *r = base();
    with_sender_mailbox(r);
    cJSON *dns = cJSON_GetObjectItem(r, "dns");
    cJSON_ReplaceItemInArray(dns, 0, parse("{\"name\": \"example.org\", \"type\": \"MX\", "
                                           "\"pref\": 0, \"value\": \".\"}"));
    fixture fx = build(r);
    long b = find(fx.w, 0, WORLD_STEP_BOUNCE, "5.1.10");
    assert_true(b > 0);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_CONNECT, "mx.example.org"), -1); /* no try */
    const char *m = world_mailbox_message(fx.w, mailbox_node(fx.w, "alice@example.com"), 0, NULL);
    assert_non_null(m);
    assert_non_null(strstr(m, "Status: 5.1.10"));
    assert_null(strstr(m, "Remote-MTA:"));
    assert_null(strstr(m, "Diagnostic-Code: smtp;"));
    done(&fx);
}

static void test_greylisting_retry(void **state)
{
    (void)state;
    cJSON *r = base();
    set(node(r, "mx"), "greylist_s", cJSON_CreateNumber(300));
    fixture fx = build(r);
    long g = find_reply(fx.w, 451, "4.7.1");
    assert_true(g > 0);
    /* pipelined MAIL/RCPT/DATA: the greylist check belongs to RCPT, so it comes after the
     * reply to MAIL and right before the 451 it causes */
    long chk = find_key(fx.w, 0, "greylist.defer");
    assert_true(chk > 0 && chk < g);
    long mail_ok = -1;
    for (long i = chk; i >= 0 && mail_ok < 0; i--) {
        const world_step *st = world_step_at(fx.w, (size_t)i);
        if (st->kind == WORLD_STEP_REPLY && !strcmp(st->verb, "MAIL"))
            mail_ok = i;
        if (st->kind == WORLD_STEP_COMMAND && !strcmp(st->verb, "MAIL"))
            break;
    }
    assert_true(mail_ok > 0 && mail_ok < chk);
    long d = find(fx.w, (size_t)g, WORLD_STEP_QUEUE, "deferred");
    assert_true(d > g);
    assert_non_null(strstr(world_step_at(fx.w, (size_t)d)->text, "next try in 60 s"));
    long r2 = find(fx.w, (size_t)d, WORLD_STEP_QUEUE, "attempt 2");
    assert_true(r2 > d);
    assert_true(world_step_at(fx.w, (size_t)r2)->t_send_ms >=
                world_step_at(fx.w, (size_t)d)->t_send_ms + 60000);
    long d2 = find(fx.w, (size_t)r2, WORLD_STEP_QUEUE, "deferred");
    assert_true(d2 > r2);
    assert_non_null(strstr(world_step_at(fx.w, (size_t)d2)->text, "next try in 120 s"));
    long del = find(fx.w, 0, WORLD_STEP_DELIVER, NULL);
    assert_true(del > d2);
    assert_true(world_step_at(fx.w, (size_t)del)->t_send_ms >= 300000);
    assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "Bob")), 1);
    done(&fx);
}

static void test_too_large(void **state)
{
    (void)state;
    /* by default the client refuses on its own after EHLO (RFC 1870 6): no MAIL at all */
    cJSON *r = base();
    set(node(r, "msa"), "limits", parse("{\"message_size\": 2000}"));
    set(cJSON_GetObjectItem(r, "message"), "size", cJSON_CreateNumber(10000));
    fixture fx = build(r);
    long local = find_key(fx.w, 0, "client.size_exceeded");
    assert_true(local > 0);
    assert_int_equal(world_step_at(fx.w, (size_t)local)->kind, WORLD_STEP_CHECK);
    assert_int_equal(world_step_at(fx.w, (size_t)local)->code, 552);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_COMMAND, "MAIL FROM"), -1);
    assert_int_equal(find_reply(fx.w, 552, "5.3.4"), -1);
    assert_true(find(fx.w, 0, WORLD_STEP_CHECK, "could not send") > local);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_DELIVER, NULL), -1);
    done(&fx);

    /* "ignore_size": the client declares SIZE= anyway; the server's 552 5.3.4 answers MAIL */
    r = base();
    set(node(r, "msa"), "limits", parse("{\"message_size\": 2000}"));
    set(node(r, "alice"), "ignore_size", cJSON_CreateTrue());
    set(cJSON_GetObjectItem(r, "message"), "size", cJSON_CreateNumber(10000));
    fx = build(r);
    long mail = find(fx.w, 0, WORLD_STEP_COMMAND, "MAIL FROM:<alice@example.com> SIZE=");
    long rej = find_reply(fx.w, 552, "5.3.4");
    assert_true(mail > 0 && rej > mail);
    const world_step *rs = world_step_at(fx.w, (size_t)rej);
    assert_string_equal(rs->verb, "MAIL");
    assert_int_equal(rs->port, 587);
    assert_int_equal(find_key(fx.w, 0, "client.size_exceeded"), -1);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_DATA, NULL), -1); /* not a byte of content */
    long failed = find(fx.w, (size_t)rej, WORLD_STEP_CHECK, "could not send");
    assert_true(failed > rej);
    assert_non_null(strstr(world_step_at(fx.w, (size_t)failed)->text, "552 5.3.4"));
    assert_non_null(strstr(world_step_at(fx.w, (size_t)failed)->text, "(at MAIL)"));
    assert_int_equal(find(fx.w, 0, WORLD_STEP_DELIVER, NULL), -1);
    done(&fx);
}

static void test_auth_failures(void **state)
{
    (void)state;
    cJSON *r = base();
    set(node(r, "alice"), "password", cJSON_CreateString("not-the-password"));
    fixture fx = build(r);
    assert_true(find_reply(fx.w, 535, "5.7.8") > 0);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_DELIVER, NULL), -1);
    done(&fx);

    r = base();
    cJSON_DeleteItemFromObject(node(r, "alice"), "user");
    cJSON_DeleteItemFromObject(node(r, "alice"), "password");
    fx = build(r);
    long n = find_reply(fx.w, 530, "5.7.0");
    assert_true(n > 0);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_DELIVER, NULL), -1);
    done(&fx);
}

static void test_no_starttls(void **state)
{
    (void)state;
    cJSON *r = base();
    set(node(r, "alice"), "tls", cJSON_CreateString("none"));
    fixture fx = build(r);
    long n = find(fx.w, 0, WORLD_STEP_REPLY, "530 5.7.0 Must issue a STARTTLS command first");
    assert_true(n > 0);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_TLS, NULL), -1);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_DELIVER, NULL), -1);
    done(&fx);
}

static void test_relay_through_mx(void **state)
{
    (void)state;
    cJSON *r = base();
    set(node(r, "alice"), "server", cJSON_CreateString("mx"));
    set(node(r, "alice"), "port", cJSON_CreateNumber(25));
    cJSON *to = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "message"), "to");
    cJSON_ReplaceItemInArray(to, 0, cJSON_CreateString("carol@example.net"));
    fixture fx = build(r);
    long n = -1;
    for (size_t i = 0; i < world_step_count(fx.w) && n < 0; i++) {
        const world_step *s = world_step_at(fx.w, i);
        if (s->kind == WORLD_STEP_REPLY && !strcmp(s->verb, "RCPT") && s->code >= 550 &&
            !strcmp(s->esc, "5.7.1"))
            n = (long)i;
    }
    assert_true(n > 0);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_DELIVER, NULL), -1);
    done(&fx);
}

static void test_wrong_ports(void **state)
{
    (void)state;
    /* 25 on the MSA: nothing listens */
    cJSON *r = base();
    set(node(r, "alice"), "port", cJSON_CreateNumber(25));
    fixture fx = build(r);
    assert_int_equal(world_step_at(fx.w, 1)->kind, WORLD_STEP_REFUSED);
    assert_true(find(fx.w, 0, WORLD_STEP_CHECK, "connection refused") > 0);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_REPLY, NULL), -1);
    done(&fx);

    /* plain text to 465 (implicit TLS): no 220 ever, the TLS layer gives up */
    r = base();
    set(node(r, "msa"), "tls_port", cJSON_CreateNumber(465));
    set(node(r, "alice"), "port", cJSON_CreateNumber(465));
    fx = build(r);
    assert_int_equal(find(fx.w, 0, WORLD_STEP_REPLY, NULL), -1);
    long wait = find(fx.w, 0, WORLD_STEP_CHECK, "ClientHello");
    long cl = find(fx.w, 0, WORLD_STEP_CLOSE, NULL);
    assert_true(wait > 0 && cl > wait);
    assert_int_equal(world_step_at(fx.w, (size_t)cl)->t_send_ms,
                     world_step_at(fx.w, (size_t)wait)->t_send_ms + 10000);
    done(&fx);

    /* implicit TLS done right: TLS first, then the greeting under TLS */
    r = base();
    set(node(r, "msa"), "tls_port", cJSON_CreateNumber(465));
    set(node(r, "alice"), "port", cJSON_CreateNumber(465));
    set(node(r, "alice"), "tls", cJSON_CreateString("implicit"));
    fx = build(r);
    long t = find(fx.w, 0, WORLD_STEP_TLS, NULL);
    long g = find_reply(fx.w, 220, NULL);
    assert_true(t > 0 && g > t);
    assert_true(world_step_at(fx.w, (size_t)g)->tls);
    for (size_t i = 0; i < world_step_count(fx.w); i++)
        if (world_step_at(fx.w, i)->port == 465)
            assert_null(strstr(world_step_at(fx.w, i)->text, "STARTTLS"));
    assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "Bob")), 1);
    done(&fx);
}

static void test_partial_failure_and_pipelining(void **state)
{
    (void)state;
    cJSON *r = base();
    with_sender_mailbox(r);
    add_node(r, "{\"id\": \"carol\", \"kind\": \"mailbox\", \"address\": \"carol@example.org\"}");
    set(cJSON_GetObjectItem(r, "message"), "to",
        parse("[\"bob@example.org\", \"nobody@example.org\", \"carol@example.org\"]"));
    fixture fx = build(r);
    assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "Bob")), 1);
    assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "carol")), 1);
    assert_true(find_reply(fx.w, 550, "5.1.1") > 0);
    int alice = mailbox_node(fx.w, "alice@example.com");
    const char *m = world_mailbox_message(fx.w, alice, 0, NULL);
    assert_non_null(m);
    assert_non_null(strstr(m, "nobody@example.org"));
    assert_null(strstr(m, "Final-Recipient: rfc822; bob@example.org"));
    /* PIPELINING: MAIL, the RCPTs and DATA leave together */
    long mail = find(fx.w, 0, WORLD_STEP_COMMAND, "MAIL FROM");
    long data = find(fx.w, (size_t)mail, WORLD_STEP_COMMAND, "DATA");
    assert_int_equal(data, mail + 4);
    assert_int_equal(world_step_at(fx.w, (size_t)mail)->t_send_ms,
                     world_step_at(fx.w, (size_t)data)->t_send_ms);
    done(&fx);

    r = base();
    set(node(r, "alice"), "pipelining", cJSON_CreateFalse());
    fx = build(r);
    mail = find(fx.w, 0, WORLD_STEP_COMMAND, "MAIL FROM");
    long rcpt = find(fx.w, (size_t)mail, WORLD_STEP_COMMAND, "RCPT TO");
    assert_true(world_step_at(fx.w, (size_t)rcpt)->t_send_ms >
                world_step_at(fx.w, (size_t)mail)->t_send_ms);
    done(&fx);
}

static void test_smtputf8(void **state)
{
    (void)state;
    cJSON *r = base();
    set(node(r, "alice"), "smtputf8", cJSON_CreateTrue());
    add_node(r, "{\"id\": \"j\", \"kind\": \"mailbox\", \"address\": \"j\xc3\xbcrgen@example.org\"}");
    cJSON *to = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "message"), "to");
    cJSON_ReplaceItemInArray(to, 0, cJSON_CreateString("j\xc3\xbcrgen@example.org"));
    fixture fx = build(r);
    long mail = find(fx.w, 0, WORLD_STEP_COMMAND, "SMTPUTF8");
    assert_true(mail > 0);
    assert_true(find(fx.w, 0, WORLD_STEP_COMMAND, "RCPT TO:<j\xc3\xbcrgen@example.org>") > 0);
    int box = mailbox_node(fx.w, "rgen");
    assert_int_equal(mailbox_count(fx.w, box), 1);
    /* RFC 6531 3.7.3: the Received: "with" keywords of an SMTPUTF8 transaction */
    const char *m = world_mailbox_message(fx.w, box, 0, NULL);
    assert_non_null(strstr(m, "by mx.example.org with UTF8SMTPS id"));
    assert_non_null(strstr(m, "by smtp.example.com with UTF8SMTPSA id"));
    done(&fx);
}

/* A scenario "start" before the library's epoch (2024-03-12) is honoured in Date: and
 * Received: (virtual time 0 is the start). */
static void test_early_start_date(void **state)
{
    (void)state;
    cJSON *r = base();
    set(r, "start", cJSON_CreateString("2001-02-03T04:05:06Z"));
    fixture fx = build(r);
    const char *m = world_mailbox_message(fx.w, mailbox_node(fx.w, "Bob"), 0, NULL);
    assert_non_null(m);
    assert_non_null(strstr(m, "\r\nDate: Sat, 3 Feb 2001 04:05:06 +0000\r\n"));
    assert_non_null(strstr(m, "; Sat, 3 Feb 2001 04:05:0"));
    assert_null(strstr(m, "2024"));
    done(&fx);
}

static void test_spf(void **state)
{
    (void)state;
    cJSON *r = base();
    add_dns(r, "{\"name\": \"example.com\", \"type\": \"TXT\", \"value\": \"v=spf1 ip4:192.0.2.26 -all\"}");
    set(node(r, "mx"), "spf", cJSON_CreateString("enforce"));
    fixture fx = build(r);
    long q = find(fx.w, 0, WORLD_STEP_DNS_QUERY, "example.com. TXT");
    long c = find(fx.w, 0, WORLD_STEP_CHECK, "SPF pass");
    assert_true(q > 0 && c > q);
    const char *m = world_mailbox_message(fx.w, mailbox_node(fx.w, "Bob"), 0, NULL);
    assert_non_null(m);
    assert_non_null(strstr(m, "Received-SPF: pass"));
    done(&fx);

    r = base();
    add_dns(r, "{\"name\": \"example.com\", \"type\": \"TXT\", \"value\": \"v=spf1 ip4:192.0.2.99 -all\"}");
    set(node(r, "mx"), "spf", cJSON_CreateString("enforce"));
    fx = build(r);
    assert_true(find(fx.w, 0, WORLD_STEP_CHECK, "SPF fail") > 0);
    long rej = find_reply(fx.w, 550, "5.7.23");
    assert_true(rej > 0);
    assert_string_equal(world_step_at(fx.w, (size_t)rej)->verb, "MAIL");
    assert_int_equal(find(fx.w, 0, WORLD_STEP_DELIVER, "bob@"), -1);
    done(&fx);
}

static void test_dkim(void **state)
{
    (void)state;
    cJSON *r = base();
    set(node(r, "msa"), "dkim_sign", parse("{\"domain\": \"example.com\", \"selector\": \"s1\"}"));
    set(node(r, "mx"), "dkim_verify", cJSON_CreateTrue());
    fixture fx = build(r);
    long s = find(fx.w, 0, WORLD_STEP_CHECK, "DKIM-Signature added");
    long v = find(fx.w, 0, WORLD_STEP_CHECK, "DKIM pass");
    assert_true(s > 0 && v > s);
    assert_non_null(strstr(world_step_at(fx.w, (size_t)v)->text, "simulated"));
    assert_true(find(fx.w, 0, WORLD_STEP_DNS_QUERY, "s1._domainkey.example.com") > 0);
    const char *m = world_mailbox_message(fx.w, mailbox_node(fx.w, "Bob"), 0, NULL);
    assert_non_null(strstr(m, "DKIM-Signature: v=1"));
    assert_non_null(strstr(m, "dkim=pass"));
    /* the check, then the reply to the final ".", then the delivery: in time order too */
    long dot = find_reply(fx.w, 250, "2.0.0");
    while (dot >= 0 && world_step_at(fx.w, (size_t)dot)->port != 25)
        dot = find(fx.w, (size_t)dot + 1, WORLD_STEP_REPLY, "Ok: queued");
    long del = find(fx.w, 0, WORLD_STEP_DELIVER, NULL);
    assert_true(v < dot && dot < del);
    assert_true(world_step_at(fx.w, (size_t)v)->t_send_ms <=
                world_step_at(fx.w, (size_t)dot)->t_send_ms);
    assert_true(world_step_at(fx.w, (size_t)dot)->t_send_ms <=
                world_step_at(fx.w, (size_t)del)->t_send_ms);
    done(&fx);
}

static void test_down_and_shutdown(void **state)
{
    (void)state;
    cJSON *r = base();
    set(r, "faults", parse("[{\"kind\": \"down\", \"node\": \"mx\", \"until_ms\": 300000}]"));
    fixture fx = build(r);
    long ref = find(fx.w, 0, WORLD_STEP_REFUSED, "down");
    assert_true(ref > 0);
    assert_true(find(fx.w, (size_t)ref, WORLD_STEP_QUEUE, "deferred") > ref);
    long del = find(fx.w, 0, WORLD_STEP_DELIVER, NULL);
    assert_true(del > ref);
    assert_true(world_step_at(fx.w, (size_t)del)->t_send_ms >= 300000);
    done(&fx);

    r = base();
    set(r, "faults", parse("[{\"kind\": \"shutdown\", \"node\": \"mx\", \"at_ms\": 700, "
                           "\"until_ms\": 120000}]"));
    fx = build(r);
    long s = find_reply(fx.w, 421, "4.3.2");
    assert_true(s > 0);
    assert_true(find(fx.w, (size_t)s, WORLD_STEP_QUEUE, "deferred") > s);
    assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "Bob")), 1);
    done(&fx);
}

/* A shutdown while the MTA-to-MX TLS handshake runs (after the 220 to STARTTLS, before the
 * handshake ends): the server cannot answer 421 in plain text there; it drops the link, the
 * client reports a lost connection, never a STARTTLS injection. After the handshake: 421 under
 * TLS. Either way the message stays queued and is delivered later. */
static void test_shutdown_during_starttls(void **state)
{
    (void)state;
    static const int at[] = {770, 800, 900, 1000, 1080};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        cJSON *r = base();
        char f[160];
        snprintf(f, sizeof f, "[{\"kind\": \"shutdown\", \"node\": \"mx\", \"at_ms\": %d, "
                              "\"until_ms\": 120000}]", at[k]);
        set(r, "faults", parse(f));
        fixture fx = build(r);
        assert_int_equal(find_key(fx.w, 0, "client.starttls_injection"), -1);
        assert_int_equal(find(fx.w, 0, WORLD_STEP_CHECK, "client decision: 0"), -1);
        long starttls = find(fx.w, 0, WORLD_STEP_COMMAND, "STARTTLS");
        starttls = find(fx.w, (size_t)starttls + 1, WORLD_STEP_COMMAND, "STARTTLS"); /* the MTA's */
        assert_true(starttls > 0);
        long defer = find(fx.w, (size_t)starttls, WORLD_STEP_QUEUE, "deferred");
        assert_true(defer > starttls);
        long r421 = find_reply(fx.w, 421, "4.3.2");
        if (at[k] < 1000) {
            /* in the handshake: no 421, a dropped connection reported as such */
            assert_int_equal(r421, -1);
            long sd = find_key(fx.w, 0, "conn.shutdown_tls");
            assert_true(sd > starttls && sd < defer);
            assert_true(find(fx.w, (size_t)sd, WORLD_STEP_CLOSE, "closed by the server") > sd);
            assert_non_null(strstr(world_step_at(fx.w, (size_t)defer)->text,
                                   "451 4.4.2 connection lost during the TLS handshake"));
        } else if (at[k] == 1000) {
            /* the shutdown comes first at the instant the handshake would end */
            assert_int_equal(r421, -1);
            assert_true(find_key(fx.w, 0, "conn.shutdown_tls") > starttls);
        } else {
            /* after the handshake: the 421 goes out under TLS and decides the deferral */
            assert_true(r421 > starttls && r421 < defer);
            assert_true(world_step_at(fx.w, (size_t)r421)->tls);
            assert_non_null(strstr(world_step_at(fx.w, (size_t)defer)->text, "421 4.3.2"));
            assert_int_equal(find_key(fx.w, 0, "conn.shutdown_tls"), -1);
        }
        assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "Bob")), 1);
        done(&fx);
    }
}

/* No MX record, an A record for the domain: DNS says "no records", then the MTA's own check
 * says it falls back to the address (RFC 5321 5.1), then it asks for the A record. */
static void test_implicit_mx(void **state)
{
    (void)state;
    cJSON *r = base();
    cJSON_DeleteItemFromObject(r, "dns");
    set(node(r, "mx"), "host", cJSON_CreateString("example.org"));
    fixture fx = build(r);
    long a = find(fx.w, 0, WORLD_STEP_DNS_ANSWER, "example.org. MX");
    assert_true(a > 0);
    assert_string_equal(world_step_at(fx.w, (size_t)a)->text,
                        "example.org. MX: no records (NOERROR)");
    long chk = find_key(fx.w, (size_t)a, "mx.implicit");
    assert_true(chk > a);
    assert_int_equal(world_step_at(fx.w, (size_t)chk)->kind, WORLD_STEP_CHECK);
    assert_string_equal(world_step_at(fx.w, (size_t)chk)->rfc, "RFC 5321 5.1");
    /* the check happens when the answer has arrived, before the A question */
    assert_true(world_step_at(fx.w, (size_t)chk)->t_send_ms >=
                world_step_at(fx.w, (size_t)a)->t_arrive_ms);
    long aq = find(fx.w, (size_t)chk, WORLD_STEP_DNS_QUERY, "example.org. A");
    assert_true(aq > chk);
    assert_true(find(fx.w, (size_t)aq, WORLD_STEP_CONNECT, "port 25") > aq);
    assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "Bob")), 1);
    done(&fx);
}

static void test_give_up_bounces(void **state)
{
    (void)state;
    cJSON *r = base();
    with_sender_mailbox(r);
    set(r, "retry", parse("{\"first_s\": 60, \"give_up_s\": 600}"));
    set(r, "faults", parse("[{\"kind\": \"down\", \"node\": \"mx\", \"until_ms\": 86400000}]"));
    fixture fx = build(r);
    long b = find(fx.w, 0, WORLD_STEP_BOUNCE, NULL);
    assert_true(b > 0);
    assert_true(world_step_at(fx.w, (size_t)b)->t_send_ms <= 600000);
    const char *m = world_mailbox_message(fx.w, mailbox_node(fx.w, "alice@example.com"), 0, NULL);
    assert_non_null(m);
    assert_non_null(strstr(m, "Status: 4.4.7"));
    /* the last error was a refused connection: the MTA's own finding, not an SMTP reply */
    assert_null(strstr(m, "Remote-MTA:"));
    assert_null(strstr(m, "Diagnostic-Code: smtp;"));
    done(&fx);
}

/* ---- what if? ----------------------------------------------------------------------------- */

static void test_fork(void **state)
{
    (void)state;
    cJSON *r = base();
    with_sender_mailbox(r);
    fixture fx = build(r);
    /* the MX's answer to RCPT in the original run */
    long at = -1;
    for (size_t i = 0; i < world_step_count(fx.w) && at < 0; i++) {
        const world_step *s = world_step_at(fx.w, i);
        if (s->kind == WORLD_STEP_REPLY && !strcmp(s->verb, "RCPT") && s->port == 25)
            at = (long)i;
    }
    assert_true(at > 0);
    assert_int_equal(world_step_at(fx.w, (size_t)at)->code, 250);
    const char *nid;
    char verb[16];
    int nth;
    assert_int_equal(world_reply_fault_for_step(fx.w, (size_t)at, &nid, verb, &nth), 0);
    assert_string_equal(nid, "mx");
    assert_string_equal(verb, "RCPT");
    assert_int_equal(nth, 1);
    assert_int_equal(world_reply_fault_for_step(fx.w, 0, &nid, verb, &nth), -1);

    char err[512];
    world *f = world_new_fork(fx.sc, (size_t)at, "550 5.1.1 No such user", err, sizeof err);
    assert_non_null(f);
    /* everything before the fork point is the same */
    for (size_t i = 0; i < (size_t)at; i++)
        assert_string_equal(world_step_at(f, i)->text, world_step_at(fx.w, i)->text);
    const world_step *s = world_step_at(f, (size_t)at);
    assert_int_equal(s->kind, WORLD_STEP_REPLY);
    assert_int_equal(s->code, 550);
    assert_string_equal(s->esc, "5.1.1");
    /* the rest unfolds through the engines: no delivery to Bob, a bounce to Alice */
    assert_int_equal(mailbox_count(f, mailbox_node(f, "Bob")), 0);
    assert_true(find(f, (size_t)at, WORLD_STEP_BOUNCE, NULL) > at);
    const char *m = world_mailbox_message(f, mailbox_node(f, "alice@example.com"), 0, NULL);
    assert_non_null(m);
    assert_non_null(strstr(m, "No such user"));
    world_free(f);

    /* a greeting can be forked too: 554 at connect, the client gives up */
    f = world_new_fork(fx.sc, 1, "554 5.3.2 Not now", err, sizeof err);
    assert_non_null(f);
    assert_int_equal(world_step_at(f, 1)->code, 554);
    assert_true(find(f, 0, WORLD_STEP_CHECK, "could not send") > 0);
    world_free(f);
    /* a temporary failure: the queue retries and then delivers */
    f = world_new_fork(fx.sc, (size_t)at, "451 4.3.0 Try later", err, sizeof err);
    assert_non_null(f);
    assert_true(find(f, (size_t)at, WORLD_STEP_QUEUE, "deferred") > at);
    assert_int_equal(mailbox_count(f, mailbox_node(f, "Bob")), 1);
    world_free(f);

    assert_null(world_new_fork(fx.sc, 0, "550 x", err, sizeof err));
    assert_non_null(strstr(err, "not a server reply"));
    assert_null(world_new_fork(fx.sc, (size_t)at, "hello", err, sizeof err));
    assert_null(world_new_fork(fx.sc, 100000, "550 x", err, sizeof err));
    done(&fx);
}

static void test_saved_fork_reproduces(void **state)
{
    (void)state;
    cJSON *r = base();
    set(r, "faults", parse("[{\"kind\": \"reply\", \"node\": \"mx\", \"verb\": \"RCPT\", "
                           "\"nth\": 1, \"reply\": \"550 5.1.1 No such user\"}]"));
    fixture a = build(r);
    fixture b = build(base());
    long at = find_reply(a.w, 550, "5.1.1");
    assert_true(at > 0);
    char err[512];
    world *f = world_new_fork(b.sc, (size_t)at, "550 5.1.1 No such user", err, sizeof err);
    assert_non_null(f);
    assert_int_equal(world_step_count(f), world_step_count(a.w));
    for (size_t i = 0; i < world_step_count(f); i++)
        assert_string_equal(world_step_at(f, i)->text, world_step_at(a.w, i)->text);
    world_free(f);
    done(&a);
    done(&b);
}

/* ---- live timelines, transcript, misc ------------------------------------------------------ */

static void test_live(void **state)
{
    (void)state;
    world *w = world_new_live();
    assert_non_null(w);
    world_node n = {.kind = WORLD_NODE_MUA, .role = "MUA", .name = "swaks", .host = "localhost",
                    .addr = "127.0.0.1"};
    assert_int_equal(world_live_add_node(w, &n), 0);
    n.kind = WORLD_NODE_MX;
    strcpy(n.role, "MX");
    n.port = 2525;
    assert_int_equal(world_live_add_node(w, &n), 1);
    char text[32] = "EHLO x";
    world_step s = {.kind = WORLD_STEP_COMMAND, .from = 0, .to = 1, .conn = 0, .port = 2525,
                    .text = text, .bytes = "EHLO x\r\n", .len = 8, .verb = "EHLO",
                    .rfc = "RFC 5321 4.1.1.1", .key = "ehlo"};
    assert_int_equal(world_live_append_step(w, &s, NULL, "greeted"), 0);
    strcpy(text, "changed"); /* the world copied it */
    assert_int_equal(world_step_count(w), 1);
    assert_string_equal(world_step_at(w, 0)->text, "EHLO x");
    assert_int_equal(world_step_at(w, 0)->index, 0);
    world_node_state st[2];
    world_state_at(w, 0, st);
    assert_string_equal(st[1].state, "greeted");
    world_state_at(w, SIZE_MAX, st);
    assert_string_equal(st[1].state, "idle");
    s.from = 7;
    assert_int_equal(world_live_append_step(w, &s, NULL, NULL), -1);
    char *j = transcript_json(w, "live", "live");
    assert_non_null(j);
    assert_non_null(strstr(j, "\"EHLO x\""));
    free(j);
    world_free(w);
    world_free(NULL);
    char err[64];
    assert_null(world_new(NULL, err, sizeof err));
}

static void test_transcript(void **state)
{
    (void)state;
    fixture fx = build(base());
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    transcript_opts o = {.explain = false, .color = false};
    assert_int_equal(transcript_write(out, fx.w, &o), 0);
    fclose(out);
    assert_non_null(strstr(buf, "MUA alice-laptop -> MSA smtp.example.com:587\n"));
    assert_non_null(strstr(buf, "  <-  220 smtp.example.com"));
    assert_non_null(strstr(buf, "   -> EHLO alice-laptop.example.com\n"));
    assert_non_null(strstr(buf, "  === TLS 1.3 handshake (simulated)\n"));
    assert_non_null(strstr(buf, "   ~> AUTH PLAIN ********\n"));
    assert_non_null(strstr(buf, "  <~  235 2.7.0"));
    assert_non_null(strstr(buf, "MTA out.example.com -> MX mx.example.org:25\n"));
    assert_non_null(strstr(buf, "  | Return-Path: <alice@example.com>"));
    assert_null(strstr(buf, "\033["));
    /* one section per hop, in time order: the MUA's header once, the MTA's DNS questions in
     * the middle of the MUA's session marked in place */
    const char *h1 = strstr(buf, "MUA alice-laptop -> MSA smtp.example.com:587\n");
    assert_non_null(h1);
    assert_null(strstr(h1 + 1, "MUA alice-laptop -> MSA smtp.example.com:587\n"));
    assert_non_null(strstr(buf, "  [MTA->DNS] === example.org. MX ?\n"));
    assert_non_null(strstr(buf, "  [MSA->MTA] === queued as "));
    assert_null(strstr(buf, "\nDNS resolver.example.com -> MTA"));
    free(buf);
    /* a range of one step: its own hop header, no marker */
    buf = NULL;
    out = open_memstream(&buf, &len);
    long q = find(fx.w, 0, WORLD_STEP_DNS_QUERY, "example.org. MX");
    assert_true(q > 0);
    assert_int_equal(transcript_write_range(out, fx.w, (size_t)q, (size_t)q, &o), 0);
    fclose(out);
    assert_non_null(strstr(buf, "MTA out.example.com -> DNS resolver.example.com\n"));
    assert_non_null(strstr(buf, "  === example.org. MX ?\n"));
    assert_null(strstr(buf, "["));
    free(buf);
    buf = NULL;
    out = open_memstream(&buf, &len);
    o.color = true;
    o.explain = true;
    transcript_write_range(out, fx.w, 0, 3, &o);
    transcript_write_state(out, fx.w, 3, &o);
    fclose(out);
    assert_non_null(strstr(buf, "\033["));
    assert_non_null(strstr(buf, "# "));
    assert_non_null(strstr(buf, "Step 3 of "));
    free(buf);
    char *j = transcript_json(fx.w, "basic", "t");
    cJSON *p = cJSON_Parse(j);
    assert_non_null(p);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "steps")),
                     (int)world_step_count(fx.w));
    cJSON_Delete(p);
    free(j);
    done(&fx);
}


/* two MTAs relaying to each other: the hop count catches the loop (RFC 5321 6.3) */
static void test_mail_loop(void **state)
{
    (void)state;
    cJSON *r = base();
    add_node(r, "{\"id\": \"mta2\", \"kind\": \"mta\", \"host\": \"relay.example.net\", "
                "\"addr\": \"198.51.100.40\", \"relay_to\": \"mta\"}");
    set(node(r, "mta"), "relay_to", cJSON_CreateString("mta2"));
    set(node(r, "mta"), "trusted", parse("[\"msa\", \"mta2\"]"));
    fixture fx = build(r);
    assert_true(find_reply(fx.w, 554, "5.4.6") > 0);
    assert_true(world_step_count(fx.w) < 5000);
    assert_int_equal(mailbox_count(fx.w, mailbox_node(fx.w, "Bob")), 0);
    done(&fx);
}

/* every shipped scenario builds, and a fork at every reply step of each (with a success, a
 * temporary and a permanent reply) runs to completion: nothing crashes, loops or leaks. */
static void test_every_scenario_and_fork(void **state)
{
    (void)state;
    DIR *d = opendir("lessons/scenarios");
    assert_non_null(d);
    struct dirent *e;
    int built = 0;
    static const char *const replies[] = {"250 2.0.0 fine", "451 4.3.0 later", "554 5.0.0 no",
                                          "421 4.3.2 bye"};
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json"))
            continue;
        char path[512], err[1024];
        snprintf(path, sizeof path, "lessons/scenarios/%s", e->d_name);
        scenario *sc = scenario_load(path, err, sizeof err);
        if (!sc)
            fail_msg("%s", err);
        world *w = world_new(sc, err, sizeof err);
        if (!w)
            fail_msg("%s: %s", path, err);
        assert_true(world_step_count(w) > 0);
        /* time never goes backwards in any shipped scenario */
        for (size_t i = 1; i < world_step_count(w); i++)
            if (world_step_at(w, i)->t_send_ms < world_step_at(w, i - 1)->t_send_ms)
                fail_msg("%s: step %zu starts before step %zu", path, i, i - 1);
        built++;
        size_t forks = 0;
        for (size_t i = 0; i < world_step_count(w) && forks < 40; i++) {
            /* what-if replaces SMTP replies; POP3/IMAP responses (code 0) have no fork */
            if (world_step_at(w, i)->kind != WORLD_STEP_REPLY || world_step_at(w, i)->code == 0)
                continue;
            world *f = world_new_fork(sc, i, replies[forks % 4], err, sizeof err);
            if (!f) {
                closedir(d);
                fail_msg("%s: fork at %zu: %s", path, i, err);
            }
            const world_step *fs = world_step_at(f, i);
            assert_non_null(fs);
            if (fs->kind != WORLD_STEP_REPLY)
                fprintf(stderr, "%s: fork at %zu gave a %s step\n", path, i,
                        world_step_kind_name(fs->kind));
            assert_int_equal(fs->kind, WORLD_STEP_REPLY);
            assert_int_equal(fs->code, atoi(replies[forks % 4]));
            world_free(f);
            forks++;
        }
        world_free(w);
        scenario_free(sc);
    }
    closedir(d);
    assert_true(built >= 1);
}

/* test_received_chain - the delivered message in basic has one Received: per hop (MSA, MTA,
 * MX), read bottom-up as the path: each line's "from" host is the "by" host of the line below
 * (RFC 5321 4.4) */
static void test_received_chain(void **state)
{
    (void)state;
    fixture fx = build(base());
    int mbox = -1;
    for (size_t k = 0; k < world_node_count(fx.w); k++)
        if (world_node_at(fx.w, k)->kind == WORLD_NODE_MAILBOX && mbox < 0)
            mbox = (int)k;
    size_t len;
    const char *m = world_mailbox_message(fx.w, mbox, 0, &len);
    assert_non_null(m);
    const char *want_by[] = {"mx.example.org", "out.example.com", "smtp.example.com"};
    const char *want_from[] = {"out.example.com", "smtp.example.com", "alice-laptop.example.com"};
    const char *p = m;
    for (size_t i = 0; i < 3; i++) {
        p = strstr(p, "Received: from ");
        assert_non_null(p);
        p += strlen("Received: from ");
        assert_int_equal(strncmp(p, want_from[i], strlen(want_from[i])), 0);
        const char *by = strstr(p, "by ");
        assert_non_null(by);
        assert_int_equal(strncmp(by + 3, want_by[i], strlen(want_by[i])), 0);
    }
    assert_null(strstr(p, "Received: from "));
    done(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_path),
        cmocka_unit_test(test_received_chain),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_state_at_exact),
        cmocka_unit_test(test_unknown_recipient_bounce),
        cmocka_unit_test(test_null_mx_bounce_is_local),
        cmocka_unit_test(test_greylisting_retry),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_auth_failures),
        cmocka_unit_test(test_no_starttls),
        cmocka_unit_test(test_relay_through_mx),
        cmocka_unit_test(test_wrong_ports),
        cmocka_unit_test(test_partial_failure_and_pipelining),
        cmocka_unit_test(test_smtputf8),
        cmocka_unit_test(test_early_start_date),
        cmocka_unit_test(test_spf),
        cmocka_unit_test(test_dkim),
        cmocka_unit_test(test_down_and_shutdown),
        cmocka_unit_test(test_shutdown_during_starttls),
        cmocka_unit_test(test_implicit_mx),
        cmocka_unit_test(test_give_up_bounces),
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_saved_fork_reproduces),
        cmocka_unit_test(test_live),
        cmocka_unit_test(test_transcript),
        cmocka_unit_test(test_every_scenario_and_fork),
        cmocka_unit_test(test_mail_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
