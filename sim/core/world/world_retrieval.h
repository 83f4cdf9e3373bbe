/* world_retrieval.h - Bob reads his mail: one POP3 or IMAP session between a reading mail client
 * and the mailbox server (RFC 5598's MS), run through the real engines and recorded as steps.
 *
 * The session runs in memory on the virtual clock, like the world's SMTP pumps: the client and
 * server engines exchange bytes with a one-way latency, every engine event becomes a step
 * (commands from the client's events, responses and untagged data from the server's), the TLS
 * handshake after STLS/STARTTLS (or at once on 995/993) is a TLS step, and the node states
 * follow the engines. The mailbox is any mailbox_provider (usually a mailbox_mem that the MX's
 * deliveries fill); when the IMAP server idles with nothing moving, `on_idle` may deliver new
 * mail, which the server then pushes at once (RFC 2177).
 *
 * Steps go into a world through world_live_append_step, so the nodes must exist there (see
 * world_live_add_node); the result is deterministic: same inputs, same steps, byte for byte.
 */
#ifndef WORLD_RETRIEVAL_H
#define WORLD_RETRIEVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/imap/imap_client.h"
#include "core/retrieval/mailbox.h"
#include "core/pop3/pop3_client.h"
#include "core/world/world.h"

typedef enum { WORLD_RETR_POP3, WORLD_RETR_IMAP } world_retr_proto;

typedef struct {
    world_retr_proto proto;
    int client, server;          /* node ids in the world */
    int conn;                    /* connection number for the steps */
    uint16_t port;               /* 110, 995, 143 or 993 */
    bool implicit_tls;           /* TLS from the first byte (995, 993; RFC 8314) */
    uint32_t latency_ms;         /* one way */
    uint64_t start_ms;           /* virtual time of the connect */
    const char *server_host;     /* in the greeting */
    mailbox_provider provider;   /* passwords and mailboxes */
    bool tls_available;          /* the server can run TLS (offers STLS/STARTTLS) */
    bool allow_plaintext;        /* passwords accepted before TLS */
    const pop3_client_config *pop3; /* proto POP3: the client's settings */
    const imap_client_config *imap; /* proto IMAP */
    /* called once, when the IMAP server first idles and nothing moves; returns true when it
     * delivered new mail into the mailbox (the server is then told at once), false to let the
     * wait end. It may add steps of its own (the MX's delivery) and move *now forward to the
     * time of its last step, so the timeline stays in time order. */
    bool (*on_idle)(void *ctx, world *w, uint64_t *now);
    void *ctx;
} world_retr_session;

typedef struct {
    uint64_t end_ms;             /* virtual time of the close */
    bool ok;                     /* the client's job ended OK */
    char stage[16];              /* where it stopped, from the client's result */
    char text[160];              /* the deciding response text, or "" */
    uint32_t downloaded;         /* messages the client downloaded */
    bool tls_used;
    bool idle_news;              /* IMAP: new mail was announced during IDLE */
} world_retr_result;

/* world_retrieval_run - run one session into live world w. 0, or -1 (bad ids, no memory, or
 * the timeline refused a step); `out` is filled either way. */
int world_retrieval_run(world *w, const world_retr_session *s, world_retr_result *out);

#endif
