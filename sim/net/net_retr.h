/* net_retr.h - real POP3 and IMAP servers on the event loop, over the Maildir the MX writes.
 *
 * The same shape as net_server (SMTP): listeners accept connections, each runs a sans-I/O
 * engine (pop3_server or imap_server) through net_conn, with STARTTLS/STLS or implicit TLS
 * from net_tls. Mail comes from a net_mailstore (Maildir, UIDs in a state file); a poll timer
 * notices what the MX (in this process or another) delivered and tells IMAP sessions at once
 * in IDLE, or at their next NOOP (RFC 2177, RFC 9051 7.4.1).
 *
 * Backpressure: an engine consumes all input it is given and may answer one FETCH 1:* with
 * megabytes, so the driver feeds it one line at a time and only while its output is below
 * NET_RETR_OUT_LOW; the rest waits in the session and the socket is not read meanwhile.
 */
#ifndef NET_RETR_H
#define NET_RETR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "net/net_loop.h"
#include "net/net_mailstore.h"
#include "net/net_server.h"

#define NET_RETR_OUT_LOW (64 * 1024) /* feed the engine only while less output waits */
#define NET_RETR_POLL_MS 500         /* how often open mailboxes are checked for changes */

typedef enum {
    NET_RETR_POP3, /* RFC 1939: 110 with STLS, 995 implicit TLS */
    NET_RETR_IMAP, /* RFC 9051: 143 with STARTTLS, 993 implicit TLS */
} net_retr_proto;

typedef struct {
    net_retr_proto proto;
    const char *name;     /* for logs: "imap", "pop3" */
    const char *hostname; /* in the greeting */
    const char *listen[NET_SERVER_MAX_LISTEN];
    size_t n_listen;
    const char *tls_listen[NET_SERVER_MAX_LISTEN];
    size_t n_tls_listen;
    const char *cert, *key, *tls_dir; /* as net_server_config */
    bool no_tls;
    bool allow_plaintext; /* login before TLS (default: refused, RFC 2595 2.3, 9051 6.2.3) */
    net_mailstore *store; /* the Maildir and its users; outlives the server */
    size_t max_sessions;
    net_log_level log_level;
    FILE *log; /* NULL: stderr */
    /* live view, as net_server's (net_obs): CONNECT, EVENT (retr_ev, valid until the IDLE
     * that ends each batch of engine events), IDLE, TLS, CLOSE; may be NULL */
    void (*observe)(void *ctx, const net_obs *o);
    void *observe_ctx;
} net_retr_config;

typedef struct net_retr net_retr;

/* net_retr_config_default - loopback defaults for the protocol (2110/2995, 2143/2993 are set
 * by the caller), hostname "localhost", session log level. */
void net_retr_config_default(net_retr_config *cfg, net_retr_proto proto);

/* net_retr_new - bind and get TLS ready; cfg must outlive the server. NULL and err. */
net_retr *net_retr_new(net_loop *loop, const net_retr_config *cfg, char *err, size_t errlen);

/* net_retr_port - the port listener i (plain ones first, then TLS) is bound to. */
int net_retr_port(const net_retr *r, size_t i);

/* net_retr_shutdown - stop listening and close every session once its output is sent (the
 * engines have no shutdown call: no BYE; a POP3 session not ended by QUIT deletes nothing). */
void net_retr_shutdown(net_retr *r);
size_t net_retr_busy(const net_retr *r);
void net_retr_free(net_retr *r);

#endif
