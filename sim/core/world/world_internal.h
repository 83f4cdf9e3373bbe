/* world_internal.h - private to the world's own files (sim/core/world/world*.c): the run's data
 * (nodes, connections, queued messages, relay jobs, the event heap) and the functions the files
 * share. Nothing outside sim/core/world includes it; viewers use world.h.
 *
 * The files, in the order a run uses them:
 *   world.c         the timeline and state: arena, randomness, event queue, steps, node states,
 *                   small helpers, accessors, live timelines
 *   world_conn.c    connections and pumps: TCP set-up, the server and client engines' events,
 *                   bytes, closes, timers, shutdown
 *   world_policy.c  policy inside the server engine: SPF, DKIM, greylisting, delivery, queueing
 *   world_queue.c   the queue: retries, bounces, relay jobs (MX, A, connect)
 *   world_run.c     building a world, the run loop and its dispatch, what-if forks
 *   world_recorder.c  engine events into steps and node states (also for `smtpsim live`)
 *
 * Shared functions carry the w_ prefix; what one file alone uses stays static there.
 */
#ifndef WORLD_INTERNAL_H
#define WORLD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/smtp/mail_message.h"
#include "core/smtp/smtp_client.h"
#include "core/smtp/smtp_server.h"
#include "core/util/sha256.h"
#include "core/util/str_util.h"
#include "core/world/dns_zone.h"
#include "core/world/world.h"
#include "core/world/world_recorder.h"

/* Named limits: a run stops (with a note) when it reaches either. */
#define WORLD_MAX_STEPS 100000
#define WORLD_MAX_TIME_MS (8ULL * 24 * 3600 * 1000) /* a week of queue life and some */
#define WORLD_MAX_EVENTS 2000000                    /* events handled, a guard against loops */
#define WORLD_MAX_CONNS 4096
#define WORLD_MAX_QUEUE 256                         /* messages in all queues together */
#define WORLD_MAX_GREYLIST 256                      /* triples remembered per mx */
#define WORLD_TEXT_MAX 320                          /* one-line step text */
/* Received: fields after which a server sees a mail loop (RFC 5321 6.3) */
#define WORLD_MAX_HOPS 25
#define ARENA_CHUNK (64 * 1024)

/* ---- arena -------------------------------------------------------------------------------- */

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    char data[];
} arena_chunk;

typedef struct {
    arena_chunk *head;
    bool failed;
} arena;

/* ---- the run's data ----------------------------------------------------------------------- */

typedef struct {
    size_t step; /* the state holds after this step */
    int node;
    world_node_state st;
} state_change;

typedef struct qmsg {
    char qid[16];
    int owner;              /* node index holding it */
    const char *from;       /* reverse-path, "" for a bounce */
    const char **rcpts;
    int *rstate;            /* 0 pending, 1 delivered, 2 failed */
    const char **rwhy;      /* last reply for each recipient */
    const char **rmta;      /* the remote MTA whose SMTP reply rwhy is, or NULL when the world
                               itself decided (no MX, connection refused, ...): RFC 3464 2.3.5 */
    bool *rexpired;         /* gave up after give_up_s (status 4.4.7, rwhy the last error) */
    size_t n_rcpts;
    const char *data;       /* content with CRLF line ends */
    size_t len;
    uint64_t queued_at;
    uint32_t wait_s;        /* next backoff */
    int attempts;
    bool smtputf8;
    bool active;
} qmsg;

typedef enum {
    CONN_SUBMIT, /* the MUA to its server */
    CONN_RELAY,  /* an MSA/MTA delivering a queued message */
} conn_kind;

typedef struct job job;

/* A step a server's hook wants recorded after the reply it is deciding (what the server does
 * with an accepted message: queue, sign, store), so the reply comes first in the timeline. */
typedef struct pending_step {
    struct pending_step *next;
    world_step_kind kind;
    int from, to;
    uint64_t t_send, t_arrive;
    const char *key, *rfc, *text, *detail;
    int mailbox;            /* DELIVER: the mailbox node whose count changes, else -1 */
} pending_step;

typedef struct conn {
    struct world *w;
    int id;
    conn_kind kind;
    int cnode, snode;       /* client and server node */
    uint16_t port;
    uint32_t lat;
    smtp_client *cl;
    smtp_server *srv;
    smtp_server_config scfg;
    smtp_peer peer;
    smtp_client_config ccfg;
    bool tls;
    bool implicit_port;     /* connected to a tls_port */
    bool tls_layer_wait;    /* server TLS layer waiting for a ClientHello that never comes */
    bool client_tls_broken; /* implicit-TLS client on a plain port */
    bool tls_aborted;       /* the server dropped the link during the TLS handshake */
    bool closed;            /* a CLOSE step was recorded */
    bool finished;          /* both ends gone */
    bool client_reported;
    bool split_lines;       /* feed the server line by line (reply faults on this node) */
    int srv_state;          /* last server state seen */
    uint64_t timer_at;
    uint64_t hook_wait;     /* time the running policy hook spent on DNS round trips */
    uint64_t resume_after;  /* a hook answered pending: resume this long after its reply slot */
    smtp_verdict pend_verdict; /* ... with this verdict (w_on_server_resume) */
    const char *held_in;    /* client bytes not fed while the engine is paused */
    size_t held_len;
    uint64_t srv_ready_at;  /* the server sends nothing before this (it was busy) */
    uint64_t last_arrive[2]; /* TCP keeps order: 0 towards the server, 1 towards the client */
    /* a reply fault armed for the command being fed */
    const scenario_fault *armed;
    bool armed_used;
    const char *spf_header; /* Received-SPF to add at delivery */
    const char *auth_res;   /* Authentication-Results to add at delivery */
    pending_step *pend, *pend_tail;
    job *job;
} conn;

struct job {
    qmsg *m;
    int node;               /* the MTA */
    char domain[DNS_NAME_MAX + 1];
    dns_answer mx;
    size_t mx_i;
    int target;             /* node reached */
    size_t rc[SCENARIO_MAX_RCPTS]; /* indexes into m->rcpts for this session */
    size_t n_rc;
    bool tried[SCENARIO_MAX_RCPTS]; /* recipients given a session in this attempt */
    const char *last_error;
    bool implicit_pending;  /* DNS had no MX: say so before asking for the A record */
};

typedef enum {
    EV_MUA_START,
    EV_CONNECT_ARRIVE,
    EV_REFUSED_ARRIVE,
    EV_BYTES,
    EV_TLS_DONE,
    EV_CLOSE_ARRIVE,
    EV_TIMER,
    EV_TLS_LAYER_TIMEOUT,
    EV_HANDOFF,
    EV_QUEUE_RUN,
    EV_JOB_MX_ANSWER,
    EV_JOB_A_QUERY,
    EV_JOB_A_ANSWER,
    EV_JOB_CONNECT,
    EV_SHUTDOWN,
    EV_SERVER_RESUME, /* a policy hook's wait is over: resume the paused server engine */
} ev_type;

typedef struct {
    uint64_t t, seq;
    ev_type type;
    int side;               /* EV_BYTES/EV_CLOSE_ARRIVE: 0 to the server, 1 to the client */
    void *p;                /* conn, job or qmsg */
    const char *bytes;
    size_t len;
    int n;
} sim_ev;

typedef struct {
    world_node pub;
    const scenario_node *sn;
    world_node_state st;
    const char *mb_local[SCENARIO_MAX_NODES];
    size_t n_mb_local;
    smtp_user users[SCENARIO_MAX_USERS];
    struct {
        char key[320];
        uint64_t first;
    } *grey;
    size_t n_grey;
    const char **mail;      /* mailbox: delivered messages */
    size_t *mail_len;
    size_t n_mail, cap_mail;
    int queue_len;
    unsigned replies[16];   /* reply fault counters per verb slot */
    char listen_state[48];  /* "listening on 587", made once */
} wnode;

struct world {
    const scenario_spec *sp;
    scenario_spec *own_spec; /* forks own a modified copy */
    arena ar;
    wnode *nodes;
    size_t n_nodes;
    world_node_state *init;
    world_step *steps;
    size_t n_steps, cap_steps;
    state_change *chg;
    size_t n_chg, cap_chg;
    sim_ev *heap;
    size_t n_heap, cap_heap;
    uint64_t seq, now;
    size_t n_events;
    conn **conns;
    size_t n_conns;
    qmsg **queue;
    size_t n_queue;
    dns_zone *zone;
    uint64_t rng;
    int dns_node;
    bool stopped;
    bool live;
    conn *mua_conn;          /* Alice's submission, built before the run */
    bool smtp_ran;           /* w_run_smtp done (it may run inside a reader's IDLE) */
    bool is_fork;
    bool hold_states;       /* an engine's state change waits for the step it leads to */
    size_t fork_step;
};

/* ---- world.c: the timeline and state -------------------------------------------------------- */

void *w_arena_alloc(arena *a, size_t n);
char *w_arena_mem(arena *a, const void *src, size_t n);
char *w_arena_str(arena *a, const char *s);
world *w_alloc(void);

uint64_t w_rng_next(world *w);

/* the event heap, ordered by (t, seq) */
sim_ev *w_schedule(world *w, uint64_t t, ev_type type, void *p);
void w_schedule_full(world *w, uint64_t t, ev_type type, void *p, int side,
                     const char *bytes, size_t len, int n);
bool w_pop(world *w, sim_ev *out);

/* steps and node states */
world_step *w_add_step_raw(world *w, world_step_kind kind, int from, int to, const conn *c,
                           uint64_t t_send, uint64_t t_arrive, const char *arena_text);
world_step *w_add_stepf(world *w, world_step_kind kind, int from, int to, const conn *c,
                        uint64_t t_send, uint64_t t_arrive, const char *key, const char *rfc,
                        const char *fmt, ...) __attribute__((format(printf, 10, 11)));
void w_set_state_text(world *w, int node, const char *text, int tls);
void w_set_counts(world *w, int node);
/* w_settle_states - an engine's changes that came after its last step of a pump belong to
 * that step (last_step); with none (SIZE_MAX) they wait for the next step */
void w_settle_states(world *w, size_t last_step);
void w_defer_step(world *w, conn *c, world_step_kind kind, int from, int to, uint64_t t0,
                  uint64_t t1, const char *key, const char *rfc, const char *text,
                  const char *detail, int mailbox);
void w_flush_deferred(world *w, conn *c, uint64_t t);

/* helpers */
const scenario_node *w_snode(const world *w, int i);
uint32_t w_latency(const world *w, int a, int b);
void w_virtual_date(const world *w, uint64_t t, char out[MAIL_DATE_MAX]);
bool w_fault_active(const world *w, int node, uint64_t t);
bool w_has_reply_faults(const world *w, int node);
int w_verb_slot(const char *verb);
const scenario_fault *w_find_reply_fault(const world *w, int node, const char *verb, int nth);
const char *w_role_label(const world *w, int node);

/* ---- world_conn.c: connections and pumps ---------------------------------------------------- */

conn *w_conn_new(world *w, conn_kind kind, int cnode, int snode_i, uint16_t port);
void w_connect_start(world *w, conn *c);
void w_conn_close(world *w, conn *c, int closer_is_server, uint64_t t, const char *why);
void w_conn_free_engines(conn *c);
void w_server_node_idle(world *w, conn *c);
void w_pump_server(world *w, conn *c);
void w_pump_client(world *w, conn *c);
void w_client_finished(world *w, conn *c, const char *why_refused);
void w_on_connect_arrive(world *w, conn *c);
void w_on_bytes(world *w, conn *c, int to_client, const char *b, size_t len);
/* w_on_server_resume - the time a policy hook waited has passed: the engine gets the hook's
 * verdict (smtp_server_resume) and the client bytes held meanwhile are fed. */
void w_on_server_resume(world *w, conn *c);
void w_on_close_arrive(world *w, conn *c, int to_client);
void w_on_timer(world *w, conn *c);
void w_on_shutdown(world *w, int node);

/* ---- world_recorder.c: engine events into steps --------------------------------------------- */

/* w_record_text - a command's or reply's one-line step text, in the arena */
const char *w_record_text(world *w, const char *b, size_t len);
/* w_record - world_record_event for the world's own pumps: `verb` is the verb a REPLY answers
 * (NULL: world_reply_verb), `owned` the arena copy of ev's bytes when there is one (NULL: the
 * bytes are copied). Returns the step for the pump to annotate. */
world_step *w_record(world *w, world_link *l, const smtp_event *ev, bool server_engine,
                     uint64_t t_send, uint64_t t_arrive, const char *verb, const char *owned);

/* ---- world_policy.c: policy hooks and the server config ------------------------------------ */

/* w_server_config - build the server config for a connection to node s */
void w_server_config(world *w, conn *c, int s);
void w_dkim_secret(const world *w, const char *domain, const char *selector,
                   unsigned char out[SHA256_DIGEST_LEN]);

/* ---- world_queue.c: the queue and relay jobs ------------------------------------------------ */

qmsg *w_queue_add(world *w, int owner, const char *from, const char *const *rcpts,
                  size_t n_rcpts, const char *data, size_t len, bool smtputf8);
void w_queue_count(world *w, int node, int delta);
void w_queue_run(world *w, qmsg *m);
void w_job_session_done(world *w, job *j, conn *c, const char *why_refused);
void w_on_job_mx_answer(world *w, job *j);
void w_on_job_a_query(world *w, job *j);
void w_on_job_a_answer(world *w, job *j);
void w_on_job_connect(world *w, job *j);

/* world_readers.c: Bob's readers open the MX host's mailbox server; the first one that IDLEs
 * runs the SMTP part (w_run_smtp, world_run.c) while it waits */
int w_run_readers(world *w);
void w_run_smtp(world *w, uint64_t base);

#endif
