/* net_server_internal.h - private to the net_server module: its types and the functions its
 * three files share. Nothing outside sim/net/net_server*.c includes this.
 *
 *   net_server.c         listeners, sessions, the engine's hooks, logging, setup and teardown
 *   net_server_commit.c  the group-commit writer: Maildir deliveries and spool files made
 *                        durable on helper threads, then their paused sessions resumed
 *   net_server_relay.c   relaying with the client engine, retries, and the durable spool
 */
#ifndef NET_SERVER_INTERNAL_H
#define NET_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/net_client.h"
#include "net/net_conn.h"
#include "net/net_maildir.h"
#include "net/net_server.h"
#include "net/net_tls.h"

#define NET_SERVER_RELAY_DELAY_MS 2000          /* first retry; doubles each time */
#define NET_SERVER_SPOOL_MAX (64 * 1024 * 1024) /* largest spool file read back at start */
#define NET_SERVER_TRACE_MAX 2600 /* Return-Path + Received: 8 fields of at most 255 octets */

enum { PEND_DELIVERY = 0, PEND_SPOOL = 1 }; /* net_maildir_pending.tag */

typedef struct session session;
typedef struct relay_job relay_job;

typedef struct {
    net_server *srv;
    int fd;
    int port;
    bool implicit_tls;
} listener;

struct session {
    net_server *srv;
    net_conn *conn;
    smtp_server *eng;
    smtp_peer peer;
    net_timer timer;
    unsigned id;
    int peer_port, server_port;
    bool tls;
    net_maildir_pending **pend; /* messages written, waiting for the group commit */
    size_t n_pend, cap_pend;
    size_t in_flight;  /* of them, in the commit pipeline */
    char *queued_note; /* live view: "queued as relay N", told after the events */
    bool sync_failed, released;
    session *prev, *next;
};

struct relay_job {
    net_server *srv;
    unsigned id;
    char *from;
    char **rcpts;
    size_t n_rcpts;
    char *data;
    size_t len;
    const char *hostport;
    int tries;
    char *spool_path; /* the durable copy in the spool, removed when the job is over */
    char *hop_owned;  /* hostport read back from a spool file */
    net_timer retry;
    net_client *client;
    relay_job *prev, *next;
};

typedef struct {
    session **owner; /* NULL once the session is gone */
    net_maildir_pending **p;
    bool *ok;
    size_t n, cap;
} commit_batch;

struct net_server {
    net_loop *loop;
    const net_server_config *cfg;
    listener lis[2 * NET_SERVER_MAX_LISTEN];
    size_t n_lis;
    net_tls_ctx *tls;        /* server side */
    net_tls_ctx *tls_client; /* relaying, opportunistic, not verified (like most MTAs) */
    session *sessions;
    size_t n_sessions;
    relay_job *jobs;
    size_t n_jobs;
    session **commit; /* sessions with messages waiting for the group commit */
    size_t n_commit, cap_commit;
    bool commit_scheduled, shutting_down;
    /* The commit pipeline (net_server_commit.c): stage 0 writes a batch and flushes its data,
     * stage 1 flushes its directories; each stage has its own thread. */
    commit_batch stage[2];
    bool stage_busy[2];                /* loop side: handed to the stage's thread */
    bool stage_work[2], stage_done[2]; /* under mu: loop -> thread, thread -> loop */
    bool sync_quit, threads_ok, uses_commit;
    pthread_t thread[2];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int efd; /* the threads -> loop "stage done" signal */
    unsigned next_id, next_job;
    unsigned long msg_counter;
    net_server_counters stats;
};

/* ---- net_server.c ---------------------------------------------------------------------- */

/* net_server_log - one line on the log stream when level is enabled. */
void net_server_log(net_server *s, net_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* net_server_observe - tell the live view, if any. */
void net_server_observe(net_server *s, net_obs *o);

/* net_server_session_process - drain the engine's events, flush its output, rearm its timer. */
void net_server_session_process(session *ss);

/* net_server_received - Return-Path: (when asked) and our Received: line into out; the length,
 * 0 when it does not fit. */
size_t net_server_received(session *ss, const smtp_envelope *env, const char *rcpt,
                           bool return_path, char *out, size_t cap);

/* ---- net_server_commit.c --------------------------------------------------------------- */

/* net_server_commit_init - the eventfd and the sync thread (without them commits run in the
 * loop, slower). */
void net_server_commit_init(net_server *s);

/* net_server_commit_stop - let a batch in flight finish, join the thread, free the batch. */
void net_server_commit_stop(net_server *s);

/* net_server_commit_busy - a batch is in the pipeline. */
bool net_server_commit_busy(const net_server *s);

/* net_server_commit_add - ss has pending files: commit them at the end of this iteration. */
int net_server_commit_add(net_server *s, session *ss);

/* net_server_commit_remove - ss is going away: nobody waits for its files any more. */
void net_server_commit_remove(net_server *s, session *ss);

/* net_server_commit_reserve - room for one more file in ss->pend; -1 on no memory. */
int net_server_commit_reserve(session *ss);

/* net_server_commit_abort - remove ss's written but uncommitted files (not delivered). */
void net_server_commit_abort(session *ss);

/* net_server_commit_deliver - the accept hook of a Maildir server: one file per recipient;
 * the verdict is pending (the session pauses) until they are durable. */
void net_server_commit_deliver(session *ss, const smtp_envelope *env, smtp_verdict *v);

/* ---- net_server_relay.c ---------------------------------------------------------------- */

/* net_server_relay_route - the next hop for rcpt, or NULL when we do not relay there. */
const char *net_server_relay_route(const net_server *s, const char *rcpt);

/* net_server_relay_queue - one job per next hop (spooled first when there is a spool). */
int net_server_relay_queue(session *ss, const smtp_envelope *env);

/* net_server_relay_start - one attempt of a job. */
void net_server_relay_start(relay_job *j);

/* net_server_relay_free - unlink and free a job (its spool file stays). */
void net_server_relay_free(relay_job *j);

/* net_server_relay_spool_load - at start: queue again what an earlier run left in the spool. */
void net_server_relay_spool_load(net_server *s);

#endif
