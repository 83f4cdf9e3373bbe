/* fuzz_pop3_server.c - libFuzzer target for the POP3 server engine.
 *
 * The first byte picks the switches (TLS available, plaintext login allowed, implicit TLS,
 * show secrets) and how many messages the maildrop holds. The rest is a program of operations:
 * feed the next N bytes, let time pass, finish a TLS handshake, drain part of the output. After
 * every call: the output is CRLF lines only, every event has a key and an RFC string, state
 * events chain, PASS never shows a password unless asked, and at the end the maildrop lock is
 * released and no message appeared.
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

typedef struct {
    char prev;      /* last output byte seen */
    int last_state;
    bool show_secrets;
} checker;

/* drain - take (part of) the output and all events, checking both */
static void drain(pop3_server *srv, checker *c, size_t partial)
{
    const char *b;
    size_t n = pop3_server_output(srv, &b);
    size_t take = partial && partial < n ? partial : n;
    for (size_t i = 0; i < take; i++) {
        if (b[i] == '\n' && c->prev != '\r')
            fuzz_die("bare LF in output");
        if (c->prev == '\r' && b[i] != '\n')
            fuzz_die("bare CR in output");
        c->prev = b[i];
    }
    pop3_server_output_consumed(srv, take);
    retr_event ev;
    while (pop3_server_next_event(srv, &ev)) {
        if (!ev.key || !ev.key[0] || !ev.rfc)
            fuzz_die("event without key or rfc");
        if (!ev.bytes && ev.len)
            fuzz_die("length without bytes");
        if (ev.bytes && ev.len)
            (void)((volatile const char *)ev.bytes)[ev.len - 1];
        if (ev.kind == RETR_EV_STATE) {
            if (ev.state_from != c->last_state)
                fuzz_die("state events do not chain");
            c->last_state = ev.state_to;
        }
        if (ev.kind == RETR_EV_COMMAND && !c->show_secrets && strcmp(ev.verb, "PASS") == 0 &&
            (ev.len < 25 || memcmp(ev.bytes, "PASS <credentials hidden>", 25) != 0))
            fuzz_die("password shown");
    }
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
    checker c = {0, POP3_SRV_GREETING, cfg.show_secrets};
    drain(srv, &c, 0);
    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++];
        switch (op >> 6) {
        case 0: case 1: { /* feed the next op&0x7f bytes (0: the rest) */
            size_t len = op & 0x7f;
            if (len == 0 || len > size - i)
                len = size - i;
            pop3_server_feed(srv, data + i, len, now);
            i += len;
            break;
        }
        case 2: /* time passes */
            now += (uint64_t)(op & 0x3f) * 60000u;
            pop3_server_tick(srv, now);
            break;
        default:
            if (op & 1)
                pop3_server_tls_started(srv, now);
            break;
        }
        drain(srv, &c, (op >> 6) == 3 ? (size_t)(op & 0x3e) : 0);
        if (pop3_server_state_get(srv) != POP3_SRV_CLOSED &&
            pop3_server_deadline(srv) < now)
            fuzz_die("deadline in the past");
    }
    drain(srv, &c, 0);
    pop3_server_free(srv);
    if (mailbox_mem_locked(box))
        fuzz_die("lock not released");
    mailbox mb = mailbox_mem_get(box);
    if (mb.ops->count(mb.ctx) > n_msgs)
        fuzz_die("messages appeared");
    mailbox_mem_free(box);
    return 0;
}
