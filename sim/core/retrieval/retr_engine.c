/* retr_engine.c - one table of operations per retrieval engine (see retr_engine.h). */
#include "core/retrieval/retr_engine.h"

#include "core/imap/imap_client.h"
#include "core/imap/imap_server.h"
#include "core/pop3/pop3_client.h"
#include "core/pop3/pop3_server.h"

/* RETR_ENGINE - the forwarding functions and the table of one engine. The engines' prototypes
 * take their own types, so each needs small functions taking void * (calling through a cast
 * function pointer would be undefined behaviour); a macro writes them once for all four. */
#define RETR_ENGINE(pfx)                                                                           \
    static int pfx##_op_feed(void *e, const void *b, size_t n, uint64_t now)                       \
    {                                                                                              \
        return pfx##_feed(e, b, n, now);                                                           \
    }                                                                                              \
    static void pfx##_op_tick(void *e, uint64_t now)                                               \
    {                                                                                              \
        pfx##_tick(e, now);                                                                        \
    }                                                                                              \
    static uint64_t pfx##_op_deadline(const void *e)                                               \
    {                                                                                              \
        return pfx##_deadline(e);                                                                  \
    }                                                                                              \
    static size_t pfx##_op_output(const void *e, const char **buf)                                 \
    {                                                                                              \
        return pfx##_output(e, buf);                                                               \
    }                                                                                              \
    static void pfx##_op_consumed(void *e, size_t n)                                               \
    {                                                                                              \
        pfx##_output_consumed(e, n);                                                               \
    }                                                                                              \
    static int pfx##_op_next_event(void *e, retr_event *ev)                                        \
    {                                                                                              \
        return pfx##_next_event(e, ev);                                                            \
    }                                                                                              \
    static void pfx##_op_tls_started(void *e, uint64_t now)                                        \
    {                                                                                              \
        pfx##_tls_started(e, now);                                                                 \
    }                                                                                              \
    static bool pfx##_op_done(const void *e)                                                       \
    {                                                                                              \
        return pfx##_done(e);                                                                      \
    }                                                                                              \
    static void pfx##_op_free(void *e)                                                             \
    {                                                                                              \
        pfx##_free(e);                                                                             \
    }                                                                                              \
    const retr_engine_ops retr_engine_##pfx = {                                                    \
        .feed = pfx##_op_feed, .tick = pfx##_op_tick, .deadline = pfx##_op_deadline,               \
        .output = pfx##_op_output, .consumed = pfx##_op_consumed,                                  \
        .next_event = pfx##_op_next_event, .tls_started = pfx##_op_tls_started,                    \
        .done = pfx##_op_done, .free = pfx##_op_free,                                              \
    }

RETR_ENGINE(pop3_server);
RETR_ENGINE(pop3_client);
RETR_ENGINE(imap_server);
RETR_ENGINE(imap_client);

/* retr_engine_server_new - both server configs share these fields; the rest stays default */
void *retr_engine_server_new(bool imap, const char *hostname, mailbox_provider provider,
                             bool tls_available, bool allow_plaintext, bool implicit_tls,
                             uint64_t now_ms)
{
    if (imap) {
        imap_server_config c;
        imap_server_config_default(&c);
        c.hostname = hostname ? hostname : c.hostname;
        c.provider = provider;
        c.tls_available = tls_available;
        c.allow_plaintext = allow_plaintext;
        return imap_server_new(&c, implicit_tls, now_ms);
    }
    pop3_server_config c;
    pop3_server_config_default(&c);
    c.hostname = hostname ? hostname : c.hostname;
    c.provider = provider;
    c.tls_available = tls_available;
    c.allow_plaintext = allow_plaintext;
    return pop3_server_new(&c, implicit_tls, now_ms);
}
