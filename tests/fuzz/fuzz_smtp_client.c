/* fuzz_smtp_client.c - libFuzzer target for the client engine fed hostile server replies.
 *
 * The first two bytes pick the configuration (TLS mode, pipelining, SMTPUTF8, AUTH and its
 * mechanism, DSN, one to three recipients, short timeouts, the null reverse-path, an 8-bit
 * message). The rest is a program, as for the server target: feed the next N bytes as the
 * server's, let time pass, finish a TLS handshake, take part of the output, lose the
 * connection, or reset the engine for a new session. After every call: every line the client
 * writes ends in CRLF and holds no NUL, events keep their contract and chain their states, and
 * a finished client has a settled result that adds up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp/smtp_client.h"
#include "fuzz_common.h"

static const char *const rcpts_ascii[] = {"bob@example.org", "carol@example.org",
                                          "dan@example.net"};
static const char *const rcpts_utf8[] = {"j\xc3\xb8rn@example.org", "bob@example.org",
                                         "\xe7\x94\xb0@\xe4\xbe\x8b.jp"};
static const char message_plain[] = "Subject: hi\r\n\r\nHello Bob.\r\n.leading dot\r\n";
static const char message_8bit[] = "Subject: caf\xc3\xa9\n\nbare LF lines\n.\n..\nend";

typedef struct {
    int last_state;
    char prev; /* last output byte seen, to spot a bare LF across two outputs */
} checker;

/* check_output - no NUL, and every LF is preceded by CR (the client writes CRLF only). */
static void check_output(checker *c, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\0')
            fuzz_die("NUL in client output");
        if (b[i] == '\n' && c->prev != '\r')
            fuzz_die("bare LF in client output");
        c->prev = b[i];
    }
}

/* check_result - a finished client's result is settled and consistent. */
static void check_result(const smtp_client *cl, size_t n_rcpts)
{
    const smtp_client_result *r = smtp_client_result_get(cl);
    if (!smtp_client_done(cl)) /* may be settled already: a 5xx greeting, then QUIT */
        return;
    if (r->status == SMTP_RESULT_PENDING)
        fuzz_die("done with a pending result");
    if (!r->stage)
        fuzz_die("done without a stage");
    if (r->n_rcpts != n_rcpts || r->n_accepted > r->n_rcpts)
        fuzz_die("recipient counts do not add up");
    if (r->status == SMTP_RESULT_OK && r->n_accepted == 0)
        fuzz_die("OK with no recipient accepted");
    if (!memchr(r->text, '\0', sizeof r->text) || !memchr(r->esc, '\0', sizeof r->esc))
        fuzz_die("result text not terminated");
    for (size_t i = 0; i < r->n_rcpts; i++)
        if (!memchr(r->rcpt[i].text, '\0', sizeof r->rcpt[i].text))
            fuzz_die("recipient text not terminated");
}

/* drain - take (part of) the output and every event, as a driver does after each call. */
static void drain(smtp_client *cl, checker *c, size_t partial, int *want_tls)
{
    const char *buf;
    size_t n = smtp_client_output(cl, &buf);
    if (n) {
        size_t take = fuzz_take(n, partial);
        check_output(c, buf, take);
        smtp_client_output_consumed(cl, take);
    }
    smtp_event ev;
    while (smtp_client_next_event(cl, &ev)) {
        fuzz_check_event(&ev);
        if (ev.kind == SMTP_EV_STATE)
            fuzz_chain(&c->last_state, ev.state_from, ev.state_to);
        if (ev.kind == SMTP_EV_STARTTLS)
            *want_tls = 1;
    }
}

/* config_from - the configuration the two leading bytes select. */
static void config_from(uint8_t a, uint8_t b, smtp_client_config *cfg)
{
    smtp_client_config_default(cfg);
    cfg->helo_name = "client.example.com";
    cfg->mail_from = (b & 0x20) ? "" : "alice@example.com";
    cfg->rcpts = (b & 0x80) ? rcpts_utf8 : rcpts_ascii;
    cfg->n_rcpts = (size_t)(b % 3) + 1;
    if (b & 0x40) {
        cfg->data = message_8bit;
        cfg->data_len = sizeof message_8bit - 1;
    } else {
        cfg->data = message_plain;
        cfg->data_len = sizeof message_plain - 1;
    }
    cfg->tls = (smtp_tls_mode)(a & 3);
    cfg->tls_available = !(a & 0x04);
    cfg->use_pipelining = !(a & 0x08);
    cfg->smtputf8 = a & 0x10;
    if (a & 0x20) {
        cfg->auth_user = "alice";
        cfg->auth_password = "secret";
        cfg->auth_mech = (a & 0x40) ? "LOGIN" : (b & 0x04) ? "PLAIN" : NULL;
    }
    if (a & 0x80) {
        cfg->dsn_ret = "HDRS";
        cfg->dsn_envid = "QQ314159";
        cfg->dsn_notify = "SUCCESS,FAILURE";
    }
    cfg->show_secrets = b & 0x10;
    cfg->ignore_advertised_size = b & 0x08;
    if (a & 0x40) { /* short timeouts, so that time steps reach them */
        for (int id = SMTP_LIMIT_TIMEOUT_GREETING; id <= SMTP_LIMIT_TIMEOUT_DATA_TERM; id++)
            smtp_limits_set(&cfg->limits, (smtp_limit_id)id, 1000);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    smtp_client_config cfg;
    config_from(data[0], data[1], &cfg);
    uint64_t now = 0;
    smtp_client *cl = smtp_client_new(&cfg, now);
    if (!cl)
        return 0;
    checker c = {.last_state = SMTP_CLI_GREETING, .prev = 0};
    int want_tls = 0;
    if (cfg.tls == SMTP_TLS_IMPLICIT)
        smtp_client_tls_started(cl, now);
    drain(cl, &c, 0, &want_tls);
    size_t i = 2;
    while (i < size) {
        uint8_t op = data[i++];
        size_t partial = 0;
        switch (op >> 5) {
        case 0: case 1: case 2: case 3: case 4: { /* the server sends (op & 63) + 1 bytes */
            size_t n = fuzz_smtp_feed_len(op, size - i);
            int done_before = smtp_client_done(cl);
            if (smtp_client_feed(cl, data + i, n, now) != -1 && done_before)
                fuzz_die("feed after done did not say -1");
            i += n;
            break;
        }
        case 5: /* time passes */
            now += (uint64_t)(op & 31) * 100;
            smtp_client_tick(cl, now);
            break;
        case 6: /* the handshake finishes (or a driver calls it at a strange time) */
            if (want_tls || (op & 1)) {
                smtp_client_tls_started(cl, now);
                want_tls = 0;
            }
            break;
        default:
            if ((op & 31) == 31) {
                smtp_client_connection_lost(cl, now);
            } else if ((op & 31) == 30) { /* a new session on the same engine */
                drain(cl, &c, 0, &want_tls);
                if (smtp_client_reset(cl, &cfg, now) < 0)
                    fuzz_die("reset failed");
                c.last_state = SMTP_CLI_GREETING;
                c.prev = 0;
                want_tls = 0;
                if (cfg.tls == SMTP_TLS_IMPLICIT)
                    smtp_client_tls_started(cl, now);
            } else {
                partial = (size_t)(op & 31) + 1;
            }
            break;
        }
        drain(cl, &c, partial, &want_tls);
        check_result(cl, cfg.n_rcpts);
        if (!smtp_client_done(cl) && smtp_client_deadline(cl) < now)
            fuzz_die("deadline in the past after tick");
    }
    smtp_client_free(cl);
    return 0;
}
