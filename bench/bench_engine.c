/* bench_engine.c - how many whole SMTP sessions per second the two engines run in memory.
 *
 * A session: greeting, EHLO, MAIL, two RCPT, DATA with a 2 KB message, QUIT; the client engine
 * talks to the server engine (MX role, no TLS, PIPELINING as offered) on one core, with every
 * event drained as a real driver would. Each measurement runs for about BENCH_SECONDS of wall
 * time. Besides the headline figure it prints the cost of each side alone (the client against
 * recorded server replies, the server against recorded client bytes) and the effect of
 * reusing the client's allocations (smtp_client_reset) instead of _new/_free per session.
 *
 * Rates are per second of CPU time of the benchmark's thread (one core), measured with
 * CLOCK_THREAD_CPUTIME_ID, so a busy machine slows the run but not the figure much; the
 * wall-clock rate is printed alongside. Output ends with exactly one line
 * "engine: N sessions/s" (whole sessions, client reused, per CPU second).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/smtp/smtp_client.h"
#include "core/smtp/smtp_server.h"

#define BENCH_SECONDS 0.6 /* per measurement; five measurements, about 3 s in all */
#define MESSAGE_SIZE 2048
#define REC_MAX (16 * 1024)

static char message[MESSAGE_SIZE];
static const char *rcpts[] = {"bob@example.org", "carol@example.org"};
static const char *domains[] = {"example.org"};

/* now_s - wall time bounds the run; cpu_s (this thread's CPU time) gives the rate, so other
 * processes sharing the machine (a parallel build) do not count against the engines. */
static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static double cpu_s(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

/* make_message - 2 KB of header and 72-column body lines, LF line ends (the client makes CRLF),
 * a few lines starting with '.' so dot-stuffing is exercised. */
static void make_message(void)
{
    size_t n = (size_t)snprintf(message, sizeof message,
                                "From: Alice <alice@example.com>\nTo: Bob <bob@example.org>\n"
                                "Subject: benchmark\nMessage-ID: <1@example.com>\n\n");
    int line = 0;
    while (n < sizeof message) {
        message[n++] = line % 9 == 0 ? '.' : (char)('a' + line % 26);
        for (int i = 1; i < 71 && n < sizeof message; i++)
            message[n++] = (char)('a' + (i + line) % 26);
        if (n < sizeof message)
            message[n++] = '\n';
        line++;
    }
    message[sizeof message - 1] = '\n';
}

typedef struct {
    smtp_client_config ccfg;
    smtp_server_config scfg;
    smtp_peer peer;
    smtp_client *cl; /* kept across sessions in reuse mode */
    size_t bytes_c2s, bytes_s2c, events;
    /* recordings of one session's traffic, for the one-sided measurements */
    char c2s[REC_MAX], s2c[REC_MAX];
    size_t c2s_len, s2c_len;
    size_t s2c_cuts[64], n_cuts; /* where each server write ended */
    int record;
    int failures;
} bench;

static void record(char *buf, size_t *len, const char *b, size_t n)
{
    if (*len + n <= REC_MAX) {
        memcpy(buf + *len, b, n);
        *len += n;
    }
}

/* one_session - a whole session between the two engines. */
static void one_session(bench *bn, int reuse)
{
    uint64_t now = 1;
    smtp_server *srv = smtp_server_new(&bn->scfg, &bn->peer, now);
    smtp_client *cl;
    if (reuse && bn->cl) {
        smtp_client_reset(bn->cl, &bn->ccfg, now);
        cl = bn->cl;
    } else {
        cl = smtp_client_new(&bn->ccfg, now);
    }
    smtp_event ev;
    for (int iter = 0; iter < 64 && !smtp_client_done(cl); iter++) {
        const char *b;
        size_t n = smtp_server_output(srv, &b);
        if (n) {
            if (bn->record) {
                record(bn->s2c, &bn->s2c_len, b, n);
                if (bn->n_cuts < 64)
                    bn->s2c_cuts[bn->n_cuts++] = bn->s2c_len;
            }
            bn->bytes_s2c += n;
            smtp_client_feed(cl, b, n, now);
            smtp_server_output_consumed(srv, n);
        }
        while (smtp_server_next_event(srv, &ev))
            bn->events++;
        while (smtp_client_next_event(cl, &ev))
            bn->events++;
        n = smtp_client_output(cl, &b);
        if (n) {
            if (bn->record)
                record(bn->c2s, &bn->c2s_len, b, n);
            bn->bytes_c2s += n;
            smtp_server_feed(srv, b, n, now);
            smtp_client_output_consumed(cl, n);
        }
        while (smtp_server_next_event(srv, &ev))
            bn->events++;
        while (smtp_client_next_event(cl, &ev))
            bn->events++;
    }
    if (smtp_client_result_get(cl)->status != SMTP_RESULT_OK)
        bn->failures++;
    smtp_server_free(srv);
    if (reuse)
        bn->cl = cl;
    else
        smtp_client_free(cl);
}

/* client_alone - the client against the recorded server writes (same cuts as recorded). */
static void client_alone(bench *bn)
{
    smtp_client_reset(bn->cl, &bn->ccfg, 1);
    smtp_event ev;
    size_t start = 0;
    for (size_t i = 0; i < bn->n_cuts; i++) {
        smtp_client_feed(bn->cl, bn->s2c + start, bn->s2c_cuts[i] - start, 1);
        start = bn->s2c_cuts[i];
        const char *b;
        smtp_client_output_consumed(bn->cl, smtp_client_output(bn->cl, &b));
        while (smtp_client_next_event(bn->cl, &ev))
            bn->events++;
    }
    if (!smtp_client_done(bn->cl))
        bn->failures++;
}

/* server_alone - the server fed the recorded client bytes in one go (pipelining makes that
 * legal up to DATA; the server must cope with the rest arriving early too). */
static void server_alone(bench *bn)
{
    smtp_server *srv = smtp_server_new(&bn->scfg, &bn->peer, 1);
    smtp_event ev;
    smtp_server_feed(srv, bn->c2s, bn->c2s_len, 1);
    const char *b;
    smtp_server_output_consumed(srv, smtp_server_output(srv, &b));
    while (smtp_server_next_event(srv, &ev))
        bn->events++;
    smtp_server_free(srv);
}

typedef void (*bench_fn)(bench *bn, int arg);

static void run_session_new(bench *bn, int arg)
{
    (void)arg;
    one_session(bn, 0);
}
static void run_session_reuse(bench *bn, int arg)
{
    (void)arg;
    one_session(bn, 1);
}
static void run_client_alone(bench *bn, int arg)
{
    (void)arg;
    client_alone(bn);
}
static void run_server_alone(bench *bn, int arg)
{
    (void)arg;
    server_alone(bn);
}

/* measure - run fn in batches until BENCH_SECONDS of wall time have passed; runs per CPU
 * second of this thread (the wall-clock rate is shown too: lower when the machine is busy). */
static double measure(bench *bn, bench_fn fn, const char *label)
{
    long n = 0;
    bn->events = 0;
    bn->failures = 0;
    double t0 = now_s(), c0 = cpu_s(), t;
    do {
        for (int i = 0; i < 1000; i++)
            fn(bn, 0);
        n += 1000;
        t = now_s();
    } while (t - t0 < BENCH_SECONDS);
    double rate = (double)n / (cpu_s() - c0);
    double wall = (double)n / (t - t0);
    printf("  %-44s %9.0f /s %6.2f us each (wall %9.0f /s) %4.1f events%s\n", label, rate,
           1e6 / rate, wall, (double)bn->events / (double)n, bn->failures ? "  (FAILURES!)" : "");
    return rate;
}

int main(void)
{
    make_message();
    bench *bn = calloc(1, sizeof *bn);
    if (!bn)
        return 1;
    smtp_client_config_default(&bn->ccfg);
    bn->ccfg.helo_name = "mta.example.com";
    bn->ccfg.mail_from = "alice@example.com";
    bn->ccfg.rcpts = rcpts;
    bn->ccfg.n_rcpts = 2;
    bn->ccfg.data = message;
    bn->ccfg.data_len = sizeof message;
    bn->ccfg.tls = SMTP_TLS_NONE;
    smtp_server_config_default(&bn->scfg, SMTP_ROLE_MX);
    bn->scfg.hostname = "mx.example.org";
    bn->scfg.local_domains = domains;
    bn->scfg.n_local_domains = 1;
    bn->scfg.tls_available = false;
    snprintf(bn->peer.addr, sizeof bn->peer.addr, "192.0.2.25");

    /* one recorded session: traffic sizes and the one-sided replays */
    bn->record = 1;
    one_session(bn, 1);
    bn->record = 0;
    if (bn->failures) {
        fprintf(stderr, "bench_engine: the session did not succeed\n");
        return 1;
    }
    printf("session: EHLO, MAIL, 2 RCPT, %d-byte message, QUIT (MX, no TLS, pipelining)\n",
           MESSAGE_SIZE);
    printf("  wire: %zu bytes client->server, %zu bytes server->client, %zu server writes\n",
           bn->c2s_len, bn->s2c_len, bn->n_cuts);

    measure(bn, run_client_alone, "client engine alone (recorded replies)");
    measure(bn, run_server_alone, "server engine alone (recorded commands)");
    measure(bn, run_session_new, "whole session, client _new/_free each time");
    bn->ccfg.use_pipelining = false;
    measure(bn, run_session_reuse, "whole session, no pipelining, client reset");
    bn->ccfg.use_pipelining = true;
    double rate = measure(bn, run_session_reuse, "whole session, client reused (reset)");
    smtp_client_free(bn->cl);
    free(bn);
    printf("engine: %.0f sessions/s\n", rate);
    return 0;
}
