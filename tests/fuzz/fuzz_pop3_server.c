/* fuzz_pop3_server.c - libFuzzer target for the POP3 server engine.
 *
 * The first byte picks the switches (TLS available, plaintext login allowed, implicit TLS,
 * show secrets) and how many messages the maildrop holds. The rest is a program of operations
 * (fuzz_retr_run): feed the next N bytes, let time pass, finish a TLS handshake, drain part of
 * the output. After every call: the output is CRLF lines only, every event has a key and an
 * RFC string, state events chain, PASS never shows a password unless asked, and at the end the
 * maildrop lock is released and no message appeared.
 *
 * `make fuzz-build` builds it as build/fuzz/fuzz_pop3_server;
 * `make fuzz FUZZ_TARGET=pop3_server` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "core/retrieval/mailbox.h"
#include "core/pop3/pop3_server.h"

/* out - CRLF line ends only: no bare LF, and no CR but before a LF */
static void out(fuzz_retr *f, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\n' && f->prev != '\r')
            fuzz_die("bare LF in output");
        if (f->prev == '\r' && b[i] != '\n')
            fuzz_die("bare CR in output");
        f->prev = b[i];
    }
}

/* event - PASS never shows the password unless asked (ctx: the show_secrets switch) */
static void event(fuzz_retr *f, const retr_event *ev)
{
    if (ev->kind == RETR_EV_COMMAND && !*(const bool *)f->ctx && strcmp(ev->verb, "PASS") == 0 &&
        (ev->len < 25 || memcmp(ev->bytes, "PASS <credentials hidden>", 25) != 0))
        fuzz_die("password shown");
}

/* op - the handshake finishes (or a driver calls it at a strange time); part of the output */
static size_t op(fuzz_retr *f, uint8_t o)
{
    if (o & 1)
        pop3_server_tls_started(f->e, f->now);
    return (size_t)(o & 0x3e);
}

/* after - the timer never lies in the past of an open session */
static void after(fuzz_retr *f)
{
    if (pop3_server_state_get(f->e) != POP3_SRV_CLOSED && pop3_server_deadline(f->e) < f->now)
        fuzz_die("deadline in the past");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sw = data[0];
    mailbox_mem *box = mailbox_mem_new(42);
    if (!box)
        return 0;
    static const char *msgs[] = {"Subject: a\n\nbody\n", "Subject: b\r\n\r\n.\r\n..\r\n",
                                 "no header at all", "Subject: c\n\nline\n.\nend"};
    size_t n_msgs = (sw >> 4) & 3;
    for (size_t i = 0; i < n_msgs; i++)
        mailbox_mem_add(box, msgs[i], strlen(msgs[i]), 1700000000 + (int64_t)i, 0);
    mailbox_mem_account acct[] = {{"bob", "hunter2", box}, {"eve", "x", NULL}};
    mailbox_mem_directory dir = {acct, 2};
    pop3_server_config cfg;
    pop3_server_config_default(&cfg);
    cfg.hostname = "mail.example.org";
    cfg.provider = mailbox_mem_provider(&dir);
    cfg.tls_available = sw & 1;
    cfg.allow_plaintext = sw & 2;
    cfg.show_secrets = sw & 8;
    bool implicit = sw & 4;
    uint64_t now = 1000;
    pop3_server *srv = pop3_server_new(&cfg, implicit, now);
    if (!srv) {
        mailbox_mem_free(box);
        return 0;
    }
    fuzz_retr f = {.ops = &retr_engine_pop3_server, .e = srv, .now = now, .step_ms = 60000,
                   .last_state = POP3_SRV_GREETING, .out = out, .event = event, .op = op,
                   .after = after, .ctx = &cfg.show_secrets};
    fuzz_retr_run(&f, data + 1, size - 1);
    pop3_server_free(srv);
    if (mailbox_mem_locked(box))
        fuzz_die("lock not released");
    mailbox mb = mailbox_mem_get(box);
    if (mb.ops->count(mb.ctx) > n_msgs)
        fuzz_die("messages appeared");
    mailbox_mem_free(box);
    return 0;
}
