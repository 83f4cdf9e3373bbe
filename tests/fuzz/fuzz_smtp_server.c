/* fuzz_smtp_server.c - libFuzzer target for the server engine (make fuzz).
 *
 * The first two bytes pick the role and the policy switches (TLS available, plain AUTH, require
 * TLS, enhanced codes, show secrets, implicit TLS, small limits: recipients, size, errors,
 * AUTH line, recipient overshoot). The rest is a program of
 * operations: feed the next N bytes, let time pass, finish a TLS handshake, drain part of the
 * output, shut down. After every call the output and the events are checked: every output
 * line is a well-formed reply line of at most 512 octets, every event has an explained key,
 * and state events chain (from == the previous to).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp/smtp_server.h"
#include "fuzz_common.h"

static const char *const domains[] = {"example.org", "Example.NET"};
static const char *const boxes[] = {"bob", "alice", "postmaster"};
static const smtp_user users[] = {{"alice", "secret"}, {"bob", "hunter2"}};

typedef struct {
    char line[600];
    size_t len;
    int last_state;
} checker;

/* check_output - every reply line: 3 digits, ' ' or '-' or end, text, CRLF, <= 512 octets. */
static void check_output(checker *c, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (c->len >= sizeof c->line)
            fuzz_die("reply line too long");
        c->line[c->len++] = b[i];
        if (b[i] != '\n')
            continue;
        if (c->len < 5 || c->line[c->len - 2] != '\r' || c->len > 512)
            fuzz_die("bad reply line end or length");
        for (int k = 0; k < 3; k++)
            if (c->line[k] < '0' || c->line[k] > '9')
                fuzz_die("reply code not 3 digits");
        if (c->len > 5 && c->line[3] != ' ' && c->line[3] != '-')
            fuzz_die("bad separator after code");
        for (size_t k = 4; k + 2 < c->len; k++)
            if ((unsigned char)c->line[k] < 0x20 || (unsigned char)c->line[k] > 0x7e)
                fuzz_die("non-printable reply text");
        c->len = 0;
    }
}

static void drain(smtp_server *srv, checker *c, size_t partial, int *want_tls)
{
    const char *buf;
    size_t n = smtp_server_output(srv, &buf);
    if (n) {
        size_t take = fuzz_take(n, partial);
        check_output(c, buf, take);
        smtp_server_output_consumed(srv, take);
    }
    smtp_event ev;
    while (smtp_server_next_event(srv, &ev)) {
        fuzz_check_event(&ev);
        if (ev.kind == SMTP_EV_STATE)
            fuzz_chain(&c->last_state, ev.state_from, ev.state_to);
        if (ev.kind == SMTP_EV_STARTTLS)
            *want_tls = 1;
        if (ev.kind == SMTP_EV_MESSAGE) {
            const smtp_envelope *env = smtp_server_envelope(srv);
            /* exact unless a new MAIL was pipelined behind the final dot in the same feed */
            for (size_t i = 0; i < env->n_rcpts; i++)
                if (!env->rcpts[i] || !env->rcpt_notify[i])
                    fuzz_die("null recipient");
        }
    }
}

static void on_rcpt(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    (void)ctx;
    (void)env;
    if (strncmp(rcpt, "grey", 4) == 0) {
        v->code = 450;
        strcpy(v->esc, "4.2.0");
        strcpy(v->text, "Greylisted");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t a = data[0], f = data[1];
    smtp_server_config cfg;
    smtp_server_config_default(&cfg, (smtp_role)(a % 3));
    cfg.hostname = "mx.example.org";
    cfg.local_domains = domains;
    cfg.n_local_domains = 2;
    if (a & 0x04) {
        cfg.mailboxes = boxes;
        cfg.n_mailboxes = 3;
    }
    if (a & 0x08) {
        cfg.users = users;
        cfg.n_users = 2;
    }
    cfg.tls_available = !(f & 0x01);
    cfg.allow_plain_auth = f & 0x02;
    cfg.require_tls = f & 0x04;
    cfg.enhancedstatuscodes = !(f & 0x08);
    cfg.show_secrets = f & 0x10;
    cfg.pipelining = cfg.dsn = cfg.smtputf8 = cfg.eightbitmime = !(a & 0x10);
    if (f & 0x40) {
        smtp_limits_set(&cfg.limits, SMTP_LIMIT_RECIPIENTS, 2);
        smtp_limits_set(&cfg.limits, SMTP_LIMIT_MESSAGE_SIZE, 1024);
        smtp_limits_set(&cfg.limits, SMTP_LIMIT_HARD_ERRORS, 5);
        smtp_limits_set(&cfg.limits, SMTP_LIMIT_SOFT_ERRORS, 2);
        smtp_limits_set(&cfg.limits, SMTP_LIMIT_TIMEOUT_COMMAND, 1000);
        /* small enough for inputs of a few KB to reach both sides of these limits */
        smtp_limits_set(&cfg.limits, SMTP_LIMIT_AUTH_LINE, 700);
        smtp_limits_set(&cfg.limits, SMTP_LIMIT_RECIPIENT_OVERSHOOT, 2);
    }
    if (a & 0x20)
        cfg.policy.on_rcpt = on_rcpt;
    smtp_peer peer = {.addr = "192.0.2.1", .trusted = a & 0x40, .implicit_tls = f & 0x20};
    uint64_t now = 0;
    smtp_server *srv = smtp_server_new(&cfg, &peer, now);
    if (!srv)
        return 0;
    checker c = {.len = 0, .last_state = SMTP_SRV_GREETING};
    int want_tls = peer.implicit_tls;
    size_t i = 2;
    drain(srv, &c, 0, &want_tls);
    while (i < size) {
        uint8_t op = data[i++];
        size_t partial = 0;
        switch (op >> 5) {
        case 0: case 1: case 2: case 3: case 4: { /* feed the next (op & 63) + 1 bytes */
            size_t n = fuzz_smtp_feed_len(op, size - i);
            smtp_server_feed(srv, data + i, n, now);
            i += n;
            break;
        }
        case 5: /* time passes */
            now += (uint64_t)(op & 31) * 20000;
            smtp_server_tick(srv, now);
            break;
        case 6: /* the handshake finishes (or a driver calls it at a strange time) */
            if (want_tls || (op & 1)) {
                smtp_server_tls_started(srv, now);
                want_tls = 0;
            }
            break;
        default:
            if ((op & 31) == 31)
                smtp_server_shutdown(srv, now);
            else
                partial = (size_t)(op & 31) + 1;
            break;
        }
        drain(srv, &c, partial, &want_tls);
        if (smtp_server_deadline(srv) < now && smtp_server_state_get(srv) != SMTP_SRV_CLOSED)
            fuzz_die("deadline in the past after tick");
    }
    smtp_server_free(srv);
    return 0;
}
