/* fuzz_imap_server.c - libFuzzer target for the IMAP server engine.
 *
 * The first byte picks the switches (TLS available, plaintext login allowed, implicit TLS,
 * show secrets). The maildrop holds a plain message, a multipart with an attachment and an
 * encapsulated message, and a header-only message. The rest is a program of operations
 * (fuzz_retr_run): feed the next N bytes, let time pass, finish a TLS handshake, deliver a new
 * message (and tell the engine), drain part of the output. After every call: every event has a
 * key and an RFC string, state events chain, LOGIN never shows a password unless asked, and
 * output lines outside literals end in CRLF.
 *
 * `make fuzz-build` builds it as build/fuzz/fuzz_imap_server;
 * `make fuzz FUZZ_TARGET=imap_server` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "core/imap/imap_server.h"
#include "core/retrieval/mailbox.h"

static const char m1[] = "From: A <a@example.net>\nTo: b@example.org, (c) d@e\nSubject: hi\n"
                         "\nbody\n.\n";
static const char m2[] = "From: x@y\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                         "Content-Type: text/plain\n\nt\n--b\nContent-Type: message/rfc822\n\n"
                         "Subject: inner\nContent-Type: multipart/alternative; boundary=c\n\n"
                         "--c\n\nx\n--c--\n--b--\n";
static const char m3[] = "Subject: only a header\n";

typedef struct {
    char prev;
    uint64_t literal; /* octets of a literal still to come in the output */
    char num[24];     /* digits of a "{n}" being read */
    size_t nl;
    bool in_brace;
    bool show_secrets;
    mailbox_mem *box;
} checker;

/* out - CRLF line ends outside literals; literals skipped by their announced length */
static void out(fuzz_retr *f, const char *b, size_t n)
{
    checker *c = f->ctx;
    for (size_t i = 0; i < n; i++) {
        char ch = b[i];
        if (c->literal) {
            c->literal--;
            c->prev = 0;
            continue;
        }
        if (ch == '\n' && c->prev != '\r')
            fuzz_die("bare LF in output");
        if (c->in_brace) {
            if (ch >= '0' && ch <= '9' && c->nl < sizeof c->num - 1)
                c->num[c->nl++] = ch;
            else if (ch == '}' && c->nl) {
                c->num[c->nl] = '\0';
                c->literal = (uint64_t)strtoull(c->num, NULL, 10) + 2; /* CRLF after "}" */
                c->in_brace = false;
                c->prev = 0;
                continue;
            } else {
                c->in_brace = false;
            }
        } else if (ch == '{') {
            c->in_brace = true;
            c->nl = 0;
        }
        c->prev = ch;
    }
}

/* op - the handshake finishes, and/or new mail is delivered (and the engine told); part of the
 * output */
static size_t op(fuzz_retr *f, uint8_t o)
{
    checker *c = f->ctx;
    if (o & 1)
        imap_server_tls_started(f->e, f->now);
    if (o & 2) {
        mailbox_mem_add(c->box, m1, sizeof m1 - 1, 1700000300, 0);
        imap_server_mailbox_changed(f->e, f->now);
    }
    return (size_t)(o & 0x3c);
}

/* event - LOGIN never shows the password unless asked */
static void event(fuzz_retr *f, const retr_event *ev)
{
    const checker *c = f->ctx;
    if (ev->kind == RETR_EV_COMMAND && !c->show_secrets && strcmp(ev->verb, "LOGIN") == 0 &&
        !fuzz_contains(ev->bytes, ev->len, "<credentials hidden>"))
        fuzz_die("password shown");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sw = data[0];
    mailbox_mem *box = mailbox_mem_new(9);
    if (!box)
        return 0;
    mailbox_mem_add(box, m1, sizeof m1 - 1, 1700000000, 0);
    mailbox_mem_add(box, m2, sizeof m2 - 1, 1700000100, MAILBOX_SEEN);
    mailbox_mem_add(box, m3, sizeof m3 - 1, 1700000200, MAILBOX_DELETED);
    mailbox_mem_account acct[] = {{"bob", "hunter2", box}};
    mailbox_mem_directory dir = {acct, 1};
    imap_server_config cfg;
    imap_server_config_default(&cfg);
    cfg.hostname = "mail.example.org";
    cfg.provider = mailbox_mem_provider(&dir);
    cfg.tls_available = sw & 1;
    cfg.allow_plaintext = sw & 2;
    cfg.show_secrets = sw & 8;
    uint64_t now = 1000;
    imap_server *srv = imap_server_new(&cfg, sw & 4, now);
    if (!srv) {
        mailbox_mem_free(box);
        return 0;
    }
    checker c = {0};
    c.show_secrets = cfg.show_secrets;
    c.box = box;
    fuzz_retr f = {.ops = &retr_engine_imap_server, .e = srv, .now = now, .step_ms = 60000,
                   .last_state = IMAP_SRV_GREETING, .out = out, .event = event, .op = op,
                   .ctx = &c};
    fuzz_retr_run(&f, data + 1, size - 1);
    imap_server_free(srv);
    mailbox_mem_free(box);
    return 0;
}
