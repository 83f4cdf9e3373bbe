/* fuzz_imap_client.c - libFuzzer target for the IMAP client engine, fed hostile server bytes.
 *
 * The first byte picks the switches (TLS mode, TLS available, unseen only, mark seen, IDLE).
 * The rest is a program (fuzz_retr_run): feed the next N bytes, let time pass, finish a TLS
 * handshake, lose the connection. After every call: the output is CRLF lines only, every event
 * has a key and an RFC string, state events chain, the password never appears in the events,
 * and once done the engine refuses more input.
 *
 * `make fuzz-build` builds it as build/fuzz/fuzz_imap_client;
 * `make fuzz FUZZ_TARGET=imap_client` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "core/imap/imap_client.h"

/* event - "s3cr3t!" in base64 PLAIN or quoted LOGIN must never show */
static void event(fuzz_retr *f, const retr_event *ev)
{
    (void)f;
    if (ev->kind == RETR_EV_COMMAND && ev->bytes &&
        (fuzz_contains(ev->bytes, ev->len, "s3cr3t!") ||
         fuzz_contains(ev->bytes, ev->len, "AGJvYgBzM2NyM3Qh")))
        fuzz_die("password shown");
}

/* op - the handshake finishes, or the connection is lost */
static size_t op(fuzz_retr *f, uint8_t o)
{
    if (o & 1)
        imap_client_tls_started(f->e, f->now);
    else if (o & 2)
        imap_client_connection_lost(f->e, f->now);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sw = data[0];
    imap_client_config cfg;
    imap_client_config_default(&cfg);
    cfg.user = "bob";
    cfg.password = "s3cr3t!";
    cfg.tls = (imap_client_tls)(sw & 3);
    cfg.tls_available = sw & 4;
    cfg.unseen_only = sw & 8;
    cfg.mark_seen = sw & 0x10;
    cfg.idle_ms = (sw & 0x20) ? 60000 : 0;
    imap_client *cl = imap_client_new(&cfg, 0);
    if (!cl)
        return 0;
    if (cfg.tls == IMAP_CLI_TLS_IMPLICIT)
        imap_client_tls_started(cl, 0);
    fuzz_retr f = {.ops = &retr_engine_imap_client, .e = cl, .step_ms = 30000,
                   .last_state = IMAP_CLI_GREETING, .client = true, .event = event, .op = op};
    fuzz_retr_run(&f, data + 1, size - 1);
    if (imap_client_done(cl) && imap_client_result_get(cl)->status == IMAP_RESULT_PENDING)
        fuzz_die("done without a result");
    imap_client_free(cl);
    return 0;
}
