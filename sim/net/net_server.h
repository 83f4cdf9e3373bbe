/* net_server.h - a real SMTP server (MX, MSA or MTA) on the event loop.
 *
 * Listeners accept connections; each one runs an smtp_server engine through net_conn. Role
 * policy is the engine's (smtp_server.h); this module adds what needs the outside world:
 *   - MX: delivery into a Maildir, group-committed: messages are prepared in the accept hook,
 *     which answers pending (the engine pauses before its final reply), and the messages of a
 *     loop iteration form a batch that is written, fsynced, renamed into new/ and its
 *     directories fsynced (two pipelined stages on helper threads); only then are the sessions
 *     resumed, with 250, or 451 4.3.0 if the files could not be made durable. A 250 always
 *     means on disk, and a client that disappears before that leaves nothing in the Maildir.
 *   - MSA/MTA: relaying with the client engine (net_client) to a fixed next hop or a static
 *     domain -> HOST:PORT map. Never an MX lookup on the internet.
 *   - limits on sessions in total and per client address; the engine's limits table.
 *   - one log line per session event on the log stream (passwords never appear: the engine
 *     hides them).
 * The module is three files sharing net_server_internal.h: net_server.c (listeners, sessions,
 * hooks), net_server_commit.c (the group commit), net_server_relay.c (relay and spool).
 */
#ifndef NET_SERVER_H
#define NET_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/smtp/smtp_server.h"
#include "net/net_loop.h"

#define NET_SERVER_MAX_SESSIONS 1000 /* default sessions at once */
#define NET_SERVER_MAX_PER_IP 100    /* default sessions at once from one address */
#define NET_SERVER_RELAY_TRIES 4     /* attempts per relayed message */
#define NET_SERVER_MAX_LISTEN 8

typedef enum {
    NET_LOG_QUIET = 0,    /* errors only */
    NET_LOG_SESSION = 1,  /* connect, TLS, AUTH, message, close (the default) */
    NET_LOG_PROTOCOL = 2, /* also every command and reply */
} net_log_level;

typedef struct {
    const char *domain;   /* recipient domain */
    const char *hostport; /* where to send it */
} net_route;

/* What the live view learns about a server session. */
typedef enum {
    NET_OBS_CONNECT,       /* text: peer address */
    NET_OBS_EVENT,         /* ev set */
    NET_OBS_TLS,           /* text: version and cipher */
    NET_OBS_DELIVERED,     /* text: path of the file in the Maildir */
    NET_OBS_QUEUED,        /* session: the one that received it; text: "relay N via HOST:PORT" */
    NET_OBS_RELAY_CONNECT, /* session: relay job id; port: our local port of that connection */
    NET_OBS_RELAYED,       /* session: relay job id; text: "250 ... to HOST:PORT" or the failure */
    NET_OBS_CLOSE,         /* text: why */
    NET_OBS_IDLE,          /* net_retr: the engine has no more events for now */
} net_obs_kind;

typedef struct {
    net_obs_kind kind;
    unsigned session;     /* session number, unique per server */
    const smtp_event *ev; /* NET_OBS_EVENT */
    const struct retr_event *retr_ev; /* NET_OBS_EVENT of net_retr (POP3, IMAP) instead */
    bool implicit_tls;    /* CONNECT: on an implicit-TLS port */
    bool tls;             /* the session is under TLS */
    const char *text;
    int port;        /* CONNECT: the client's port; RELAY_CONNECT: our local port */
    int server_port; /* CONNECT: the port it connected to */
    bool ok;         /* RELAYED: accepted by the next hop */
} net_obs;

typedef struct {
    smtp_role role;
    const char *name;                          /* for logs: "mx", "msa" */
    const char *hostname;                      /* greeting and Received: */
    const char *listen[NET_SERVER_MAX_LISTEN]; /* "ADDR:PORT" plain (STARTTLS offered) */
    size_t n_listen;
    const char *tls_listen[NET_SERVER_MAX_LISTEN]; /* implicit TLS */
    size_t n_tls_listen;
    const char *cert, *key;     /* PEM files; NULL: self-signed under tls_dir */
    const char *tls_dir;        /* where the self-signed pair lives */
    bool no_tls;                /* do not offer STARTTLS */
    const char *const *domains; /* MX local domains */
    size_t n_domains;
    const smtp_user *users;
    size_t n_users;
    bool allow_plain_auth;
    const char *maildir;     /* deliver here (MX; MSA/MTA: instead of relaying) */
    bool sink;               /* accept and discard */
    const char *relay;       /* MSA/MTA: next hop for everything */
    const char *spool;       /* MSA/MTA: durable relay queue SPOOL/queue/{tmp,new,cur}; NULL:
                                in memory only (a 250 then means "queued in memory") */
    const net_route *routes; /* MTA: static MX map */
    size_t n_routes;
    const char *const *trusted; /* MTA: peers relayed for without AUTH */
    size_t n_trusted;
    smtp_limits limits;
    size_t max_sessions, max_per_ip;
    net_log_level log_level;
    FILE *log;                                    /* NULL: stderr */
    void (*observe)(void *ctx, const net_obs *o); /* live view; may be NULL */
    void *observe_ctx;
} net_server_config;

typedef struct net_server net_server;

/* net_server_config_default - role defaults: hostname "localhost", limits default, session
 * caps, log level SESSION, 127.0.0.1 trusted for MTA. No listeners. */
void net_server_config_default(net_server_config *cfg, smtp_role role);

/* net_server_new - bind every listener and get TLS ready. The config and everything it
 * points to must outlive the server. NULL and a message in err on failure. */
net_server *net_server_new(net_loop *loop, const net_server_config *cfg, char *err, size_t errlen);

/* net_server_port - the port listener i (plain ones first, then TLS) is bound to. */
int net_server_port(const net_server *s, size_t i);

/* net_server_shutdown - stop listening, 421 to every open session (RFC 5321 3.8). */
void net_server_shutdown(net_server *s);

/* net_server_busy - sessions open or relays in flight. */
size_t net_server_busy(const net_server *s);

/* net_server_free - closes everything without goodbyes; NULL is a no-op. */
void net_server_free(net_server *s);

/* net_server_stats - counters since start. */
typedef struct {
    unsigned long sessions, messages, delivered_files, relayed, relay_failed, refused;
} net_server_counters;
void net_server_stats(const net_server *s, net_server_counters *out);

#endif
