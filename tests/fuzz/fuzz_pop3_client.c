/* fuzz_pop3_client.c - libFuzzer target for the POP3 client engine, fed hostile server bytes.
 *
 * The first byte picks the switches (TLS mode, TLS available, AUTH choice, delete after,
 * a known unique-id). The rest is a program: feed the next N bytes, let time pass, finish a
 * TLS handshake, lose the connection. After every call: the output is CRLF lines only, every
 * event has a key and an RFC string, state events chain, the password never appears in the
 * events, and once done the engine refuses more input.
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

/* contains - memmem without _GNU_SOURCE */
static int contains(const char *b, size_t n, const char *w)
{
    size_t wl = strlen(w);
    for (size_t i = 0; i + wl <= n; i++)
        if (memcmp(b + i, w, wl) == 0)
            return 1;
    return 0;
}

static void drain(pop3_client *cl, char *prev, int *last_state)
{
    const char *b;
    size_t n = pop3_client_output(cl, &b);
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\n' && *prev != '\r')
            fuzz_die("bare LF in output");
        *prev = b[i];
    }
    pop3_client_output_consumed(cl, n);
    retr_event ev;
    while (pop3_client_next_event(cl, &ev)) {
        if (!ev.key || !ev.key[0] || !ev.rfc)
            fuzz_die("event without key or rfc");
        if (!ev.bytes && ev.len)
            fuzz_die("length without bytes");
        if (ev.bytes && ev.len) {
            (void)((volatile const char *)ev.bytes)[ev.len - 1];
            if (ev.kind == RETR_EV_COMMAND && contains(ev.bytes, ev.len, "s3cr3t!"))
                fuzz_die("password shown");
        }
        if (ev.kind == RETR_EV_STATE) {
            if (ev.state_from != *last_state)
                fuzz_die("state events do not chain");
            *last_state = ev.state_to;
        }
    }
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
    uint64_t now = 0;
    pop3_client *cl = pop3_client_new(&cfg, now);
    if (!cl)
        return 0;
    if (cfg.tls == POP3_CLI_TLS_IMPLICIT)
        pop3_client_tls_started(cl, now);
    char prev = 0;
    int last = POP3_CLI_GREETING;
    drain(cl, &prev, &last);
    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++];
        switch (op >> 6) {
        case 0: case 1: {
            size_t len = op & 0x7f;
            if (len == 0 || len > size - i)
                len = size - i;
            int r = pop3_client_feed(cl, data + i, len, now);
            if (r == 0 && pop3_client_done(cl) && pop3_client_feed(cl, "x", 1, now) != -1)
                fuzz_die("input accepted after done");
            i += len;
            break;
        }
        case 2:
            now += (uint64_t)(op & 0x3f) * 60000u;
            pop3_client_tick(cl, now);
            break;
        default:
            if (op & 1)
                pop3_client_tls_started(cl, now);
            else if (op & 2)
                pop3_client_connection_lost(cl, now);
            break;
        }
        drain(cl, &prev, &last);
    }
    const pop3_client_result *r = pop3_client_result_get(cl);
    if (pop3_client_done(cl) && r->status == POP3_RESULT_PENDING)
        fuzz_die("done without a result");
    if (r->downloaded > r->messages || r->deleted > r->downloaded)
        fuzz_die("counts do not add up");
    pop3_client_free(cl);
    return 0;
}
