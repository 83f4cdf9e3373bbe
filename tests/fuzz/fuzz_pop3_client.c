/* fuzz_pop3_client.c - libFuzzer target for the POP3 client engine, fed hostile server bytes.
 *
 * The first byte picks the switches (TLS mode, TLS available, AUTH choice, delete after,
 * a known unique-id). The rest is a program (fuzz_retr_run): feed the next N bytes, let time
 * pass, finish a TLS handshake, lose the connection. After every call: the output is CRLF lines
 * only, every event has a key and an RFC string, state events chain, the password never
 * appears in the events, and once done the engine refuses more input.
 *
 * `make fuzz-build` builds it as build/fuzz/fuzz_pop3_client;
 * `make fuzz FUZZ_TARGET=pop3_client` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "core/pop3/pop3_client.h"

/* event - the password never shows in a command */
static void event(fuzz_retr *f, const retr_event *ev)
{
    (void)f;
    if (ev->kind == RETR_EV_COMMAND && ev->bytes && fuzz_contains(ev->bytes, ev->len, "s3cr3t!"))
        fuzz_die("password shown");
}

/* op - the handshake finishes, or the connection is lost */
static size_t op(fuzz_retr *f, uint8_t o)
{
    if (o & 1)
        pop3_client_tls_started(f->e, f->now);
    else if (o & 2)
        pop3_client_connection_lost(f->e, f->now);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sw = data[0];
    const char *known[] = {"7.2"};
    pop3_client_config cfg;
    pop3_client_config_default(&cfg);
    cfg.user = "bob";
    cfg.password = "s3cr3t!";
    cfg.tls = (pop3_client_tls)(sw & 3);
    cfg.tls_available = sw & 4;
    cfg.auth = (pop3_client_auth)((sw >> 3) % 3);
    cfg.delete_after = sw & 0x20;
    cfg.known_uids = known;
    cfg.n_known = (sw & 0x40) ? 1 : 0;
    pop3_client *cl = pop3_client_new(&cfg, 0);
    if (!cl)
        return 0;
    if (cfg.tls == POP3_CLI_TLS_IMPLICIT)
        pop3_client_tls_started(cl, 0);
    fuzz_retr f = {.ops = &retr_engine_pop3_client, .e = cl, .step_ms = 60000,
                   .last_state = POP3_CLI_GREETING, .client = true, .event = event, .op = op};
    fuzz_retr_run(&f, data + 1, size - 1);
    const pop3_client_result *r = pop3_client_result_get(cl);
    if (pop3_client_done(cl) && r->status == POP3_RESULT_PENDING)
        fuzz_die("done without a result");
    if (r->downloaded > r->messages || r->deleted > r->downloaded)
        fuzz_die("counts do not add up");
    pop3_client_free(cl);
    return 0;
}
