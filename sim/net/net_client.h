/* net_client.h - one outgoing SMTP transaction over a real socket, driven by smtp_client.
 *
 * Resolves HOST:PORT (numeric or a name from the local resolver; smtpsim itself never looks
 * up MX records), connects without blocking, and runs the client engine on the event loop,
 * with STARTTLS or implicit TLS through net_conn. Every engine event is passed on (the `send`
 * transcript, the relay log, the live animation), and on_done reports the result exactly once,
 * after which the net_client frees itself.
 */
#ifndef NET_CLIENT_H
#define NET_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/smtp/smtp_client.h"
#include "net/net_loop.h"
#include "net/net_tls.h"

typedef struct net_client net_client;

typedef struct {
    const char *server;        /* "HOST:PORT" or "[v6]:PORT" */
    smtp_client_config engine; /* envelope, message, TLS mode, AUTH; strings copied by the engine */
    net_tls_ctx *tls;          /* client TLS context (NULL: no TLS available) */
    void *ctx;
    /* an engine event; tls says whether the bytes crossed TLS. May be NULL. */
    void (*on_event)(void *ctx, const smtp_event *ev, bool tls);
    /* TCP connected (info "127.0.0.1:2525") or TLS established (info = version and cipher). */
    void (*on_connect)(void *ctx, const char *info);
    void (*on_tls)(void *ctx, const char *info);
    /* the transaction is over; r is valid during the call only. Required. */
    void (*on_done)(void *ctx, const smtp_client_result *r, const char *why);
} net_client_config;

/* net_client_start - begin; NULL and the reason in err when the address cannot be resolved
 * or the connection cannot even be attempted (nothing is called back then). The reason does
 * not repeat the server's address ("Connection refused"): the caller names it. */
net_client *net_client_start(net_loop *loop, const net_client_config *cfg, char *err,
                             size_t errlen);

/* net_client_local_port - our side's port of the connection (to match it at a local server). */
int net_client_local_port(const net_client *c);

/* net_client_abort - give up now (on_done follows, at the end of the iteration). */
void net_client_abort(net_client *c);

/* net_parse_hostport - split "host:port" / "[v6]:port"; 0 or -1. */
int net_parse_hostport(const char *s, char *host, size_t hostlen, int *port);

/* net_listen_tcp - a non-blocking listening socket on "ADDR:PORT" (numeric address, port 0
 * for any); the port really bound goes to *port and the address to host. The fd, or -1 and a
 * message in err. Shared by every server (SMTP, POP3, IMAP). */
int net_listen_tcp(const char *spec, int backlog, char *host, size_t hostlen, int *port,
                   char *err, size_t errlen);

/* net_is_loopback - the host names this machine ("localhost", 127.0.0.0/8, ::1). */
bool net_is_loopback(const char *host);

#endif
