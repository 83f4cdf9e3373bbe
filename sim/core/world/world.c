/* world.c - the simulated mail world: a discrete-event simulation that drives the real SMTP
 * engines between the nodes of a scenario, on a virtual clock.
 *
 * How it runs. Everything that happens is an event in one priority queue ordered by virtual
 * time (ties by insertion order, so the run is deterministic): a client connecting, bytes
 * arriving at the other end of a link, a TLS handshake finishing, a DNS answer, a queue retry,
 * an engine deadline. Handling an event feeds or ticks an engine and then "pumps" it: its
 * events become steps of the timeline, its output bytes become a new arrival event one link
 * latency later. The world itself only adds what SMTP does not carry: DNS, the queue and its
 * retry schedule, the MSA-to-MTA hand-off, delivery into mailboxes, SPF/DKIM checks (through
 * the engines' policy hooks), bounces (dsn.h), and faults.
 *
 * Steps are recorded when they start (t_send), so the timeline is in time order. Node states
 * are recorded as changes attached to the step after which they hold; world_state_at folds
 * them (O(steps), no engine is re-run).
 *
 * Memory: every string and byte string of a world (step texts, wire bytes, messages) lives in
 * one arena freed by world_free; the step and change arrays grow by doubling. Engines are
 * allocated per connection and freed when it closes.
 */
#include "core/world/world.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/world/dkim.h"
#include "core/world/dns_zone.h"
#include "core/smtp/dsn.h"
#include "core/smtp/mail_message.h"
#include "core/util/sha256.h"
#include "core/smtp/smtp_client.h"
#include "core/smtp/smtp_server.h"
#include "core/world/spf.h"

/* Named limits: a run stops (with a note) when it reaches either. */
#define WORLD_MAX_STEPS 100000
#define WORLD_MAX_TIME_MS (8ULL * 24 * 3600 * 1000) /* a week of queue life and some */
#define WORLD_MAX_EVENTS 2000000                    /* events handled, a guard against loops */
#define WORLD_MAX_CONNS 4096
#define WORLD_MAX_QUEUE 256                         /* messages in all queues together */
#define WORLD_MAX_GREYLIST 256                      /* triples remembered per mx */
#define WORLD_TEXT_MAX 320                          /* one-line step text */
#define WORLD_MAX_HOPS 25      /* Received: fields after which a server sees a mail loop (RFC 5321 6.3) */
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

static void *arena_alloc(arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        arena_chunk *c = malloc(sizeof *c + cap);
        if (!c) {
            a->failed = true;
            return NULL;
        }
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static char *arena_mem(arena *a, const void *src, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, src, n);
    p[n] = '\0';
    return p;
}

static char *arena_str(arena *a, const char *s) { return s ? arena_mem(a, s, strlen(s)) : NULL; }

/* copy_text - bounded string copy without printf (the hot path copies a few per step). */
static void copy_text(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    copy_text(dst, cap, src, strlen(src));
}

static void arena_free(arena *a)
{
    for (arena_chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    a->head = NULL;
}

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
    uint64_t srv_delay;     /* extra time the server spent in hooks (DNS lookups) */
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
    bool is_fork;
    size_t fork_step;
};

/* ---- splitmix64: the only randomness, seeded from the scenario ---------------------------- */

static uint64_t rng_next(world *w)
{
    uint64_t z = (w->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* ---- the event queue (binary heap on (t, seq)) -------------------------------------------- */

static bool ev_less(const sim_ev *a, const sim_ev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static sim_ev *schedule(world *w, uint64_t t, ev_type type, void *p)
{
    if (w->n_heap == w->cap_heap) {
        size_t cap = w->cap_heap ? w->cap_heap * 2 : 64;
        sim_ev *h = realloc(w->heap, cap * sizeof *h);
        if (!h) {
            w->ar.failed = true;
            return NULL;
        }
        w->heap = h;
        w->cap_heap = cap;
    }
    sim_ev e = {.t = t, .seq = w->seq++, .type = type, .p = p};
    size_t i = w->n_heap++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ev_less(&e, &w->heap[parent]))
            break;
        w->heap[i] = w->heap[parent];
        i = parent;
    }
    w->heap[i] = e;
    return &w->heap[i];
}

/* schedule_bytes - an arrival of bytes (the pointer returned by schedule may move later, so the
 * fields are set through a fresh entry). */
static void schedule_full(world *w, uint64_t t, ev_type type, void *p, int side,
                          const char *bytes, size_t len, int n)
{
    sim_ev *e = schedule(w, t, type, p);
    if (e) {
        e->side = side;
        e->bytes = bytes;
        e->len = len;
        e->n = n;
    }
}

static bool pop(world *w, sim_ev *out)
{
    if (w->n_heap == 0)
        return false;
    *out = w->heap[0];
    sim_ev last = w->heap[--w->n_heap];
    size_t i = 0, n = w->n_heap;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const sim_ev *best = &last;
        if (l < n && ev_less(&w->heap[l], best)) {
            m = l;
            best = &w->heap[l];
        }
        if (r < n && ev_less(&w->heap[r], best))
            m = r;
        if (m == i)
            break;
        w->heap[i] = w->heap[m];
        i = m;
    }
    if (n)
        w->heap[i] = last;
    return true;
}

/* ---- steps and states --------------------------------------------------------------------- */

static world_step *add_step_raw(world *w, world_step_kind kind, int from, int to, const conn *c,
                                uint64_t t_send, uint64_t t_arrive, const char *arena_text);

static world_step *add_step(world *w, world_step_kind kind, int from, int to, const conn *c,
                            uint64_t t_send, uint64_t t_arrive, const char *text)
{
    return add_step_raw(w, kind, from, to, c, t_send, t_arrive, arena_str(&w->ar, text ? text : ""));
}

/* add_step_raw - append a step whose text already lives in the arena (the hot path). */
static world_step *add_step_raw(world *w, world_step_kind kind, int from, int to, const conn *c,
                                uint64_t t_send, uint64_t t_arrive, const char *arena_text)
{
    if (w->stopped)
        return NULL;
    if (w->n_steps >= WORLD_MAX_STEPS) {
        w->stopped = true;
        return NULL;
    }
    if (w->n_steps == w->cap_steps) {
        size_t cap = w->cap_steps ? w->cap_steps * 2 : 128;
        world_step *s = realloc(w->steps, cap * sizeof *s);
        if (!s) {
            w->ar.failed = true;
            w->stopped = true;
            return NULL;
        }
        w->steps = s;
        w->cap_steps = cap;
    }
    world_step *s = &w->steps[w->n_steps];
    memset(s, 0, sizeof *s);
    s->index = w->n_steps++;
    s->kind = kind;
    s->from = from;
    s->to = to;
    s->conn = c ? c->id : -1;
    s->port = c ? c->port : 0;
    s->tls = c ? c->tls : false;
    s->t_send_ms = t_send;
    s->t_arrive_ms = t_arrive;
    s->text = arena_text ? arena_text : "";
    s->rfc = "";
    s->key = "";
    return s;
}

static world_step *add_stepf(world *w, world_step_kind kind, int from, int to, const conn *c,
                             uint64_t t_send, uint64_t t_arrive, const char *key, const char *rfc,
                             const char *fmt, ...) __attribute__((format(printf, 10, 11)));

static world_step *add_stepf(world *w, world_step_kind kind, int from, int to, const conn *c,
                             uint64_t t_send, uint64_t t_arrive, const char *key, const char *rfc,
                             const char *fmt, ...)
{
    char text[WORLD_TEXT_MAX];
    const char *t = text;
    va_list ap;
    va_start(ap, fmt);
    if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2])
        t = va_arg(ap, const char *); /* the common case needs no formatting */
    else
        vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    world_step *s = add_step(w, kind, from, to, c, t_send, t_arrive, t);
    if (s) {
        s->key = key;
        s->rfc = rfc;
    }
    return s;
}

/* note_state - node `node` now looks like st (after the latest step). */
static void note_state(world *w, int node, const world_node_state *st)
{
    wnode *n = &w->nodes[node];
    if (!memcmp(&n->st, st, sizeof *st))
        return;
    n->st = *st;
    if (w->n_steps == 0) {
        w->init[node] = *st;
        return;
    }
    if (w->n_chg == w->cap_chg) {
        size_t cap = w->cap_chg ? w->cap_chg * 2 : 128;
        state_change *c = realloc(w->chg, cap * sizeof *c);
        if (!c) {
            w->ar.failed = true;
            return;
        }
        w->chg = c;
        w->cap_chg = cap;
    }
    w->chg[w->n_chg++] = (state_change){.step = w->n_steps - 1, .node = node, .st = *st};
}

static void set_state_text(world *w, int node, const char *text, int tls)
{
    world_node_state st = w->nodes[node].st;
    if (text != st.state)
        copy_text(st.state, sizeof st.state, text, strlen(text));
    if (tls >= 0)
        st.tls = tls;
    note_state(w, node, &st);
}

static void set_counts(world *w, int node)
{
    world_node_state st = w->nodes[node].st;
    st.queue_len = w->nodes[node].queue_len;
    st.mailbox_count = (int)w->nodes[node].n_mail;
    note_state(w, node, &st);
}

static void defer_step(world *w, conn *c, world_step_kind kind, int from, int to, uint64_t t0,
                       uint64_t t1, const char *key, const char *rfc, const char *text,
                       const char *detail, int mailbox)
{
    pending_step *p = arena_alloc(&w->ar, sizeof *p);
    if (!p)
        return;
    *p = (pending_step){.kind = kind, .from = from, .to = to, .t_send = t0, .t_arrive = t1,
                        .key = key, .rfc = rfc, .text = arena_str(&w->ar, text), .detail = detail,
                        .mailbox = mailbox};
    if (c->pend_tail)
        c->pend_tail->next = p;
    else
        c->pend = p;
    c->pend_tail = p;
}

static void flush_deferred(world *w, conn *c, uint64_t t)
{
    for (pending_step *p = c->pend; p; p = p->next) {
        /* they happen when the reply goes out (the server may have spent time on DNS) */
        uint64_t shift = t > p->t_send ? t - p->t_send : 0;
        world_step *s = add_step_raw(w, p->kind, p->from, p->to, NULL, p->t_send + shift,
                                     p->t_arrive + shift, p->text);
        if (s) {
            s->key = p->key;
            s->rfc = p->rfc;
            s->detail = p->detail;
        }
        if (p->mailbox >= 0) {
            wnode *m = &w->nodes[p->mailbox];
            world_node_state st = m->st;
            st.mailbox_count++;
            snprintf(st.state, sizeof st.state, "%d message%s", st.mailbox_count,
                     st.mailbox_count == 1 ? "" : "s");
            note_state(w, p->mailbox, &st);
        }
    }
    c->pend = c->pend_tail = NULL;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static const scenario_node *snode(const world *w, int i) { return w->nodes[i].sn; }

static uint32_t latency(const world *w, int a, int b)
{
    const scenario_spec *sp = w->sp;
    if (a == b)
        return sp->local_ms;
    for (size_t i = 0; i < sp->n_links; i++)
        if ((sp->links[i].a == a && sp->links[i].b == b) ||
            (sp->links[i].a == b && sp->links[i].b == a))
            return sp->links[i].ms;
    if (w->nodes[a].pub.kind == WORLD_NODE_DNS || w->nodes[b].pub.kind == WORLD_NODE_DNS)
        return sp->dns_ms;
    if (!strcasecmp(snode(w, a)->site, snode(w, b)->site))
        return sp->lan_ms;
    return sp->internet_ms;
}

static const char *domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : "";
}

static bool non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

/* virtual_date - the Date:/Received: date of virtual time t: the scenario's "start" is time 0
 * (any start, earlier than MAIL_EPOCH too). */
static void virtual_date(const world *w, uint64_t t, char out[MAIL_DATE_MAX])
{
    mail_date_from(w->sp->start_epoch_s, t, out);
}

static bool fault_active(const world *w, int node, uint64_t t)
{
    for (size_t i = 0; i < w->sp->n_faults; i++) {
        const scenario_fault *f = &w->sp->faults[i];
        if (f->node == node && f->kind != SCENARIO_FAULT_REPLY && t >= f->from_ms && t < f->until_ms)
            return true;
    }
    return false;
}

static bool has_reply_faults(const world *w, int node)
{
    for (size_t i = 0; i < w->sp->n_faults; i++)
        if (w->sp->faults[i].kind == SCENARIO_FAULT_REPLY && w->sp->faults[i].node == node)
            return true;
    return false;
}

static const char *const verb_slots[] = {"CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", ".",
                                         "AUTH", "STARTTLS", "QUIT", "RSET", "NOOP", NULL};

static int verb_slot(const char *verb)
{
    for (int i = 0; verb_slots[i]; i++)
        if (!strcmp(verb_slots[i], verb))
            return i;
    return 15;
}

static const scenario_fault *find_reply_fault(const world *w, int node, const char *verb, int nth)
{
    for (size_t i = 0; i < w->sp->n_faults; i++) {
        const scenario_fault *f = &w->sp->faults[i];
        if (f->kind == SCENARIO_FAULT_REPLY && f->node == node && f->nth == nth &&
            !strcmp(f->verb, verb))
            return f;
    }
    return NULL;
}

static const char *role_label(const world *w, int node)
{
    return w->nodes[node].pub.role;
}

/* ---- DNS as the world's nodes see it ------------------------------------------------------ */

typedef struct {
    world *w;
    int asker;
    const conn *c;
    uint64_t t;             /* advances by a round trip per question */
} dns_ctx;

/* recorded_lookup - a dns_lookup_fn that also records the question and the answer as steps. */
static dns_rcode recorded_lookup(void *ctx, const char *name, dns_type type, dns_answer *out)
{
    dns_ctx *d = ctx;
    world *w = d->w;
    dns_rcode rc = dns_zone_query(w->zone, name, type, out);
    if (w->dns_node < 0)
        return rc;
    uint32_t lat = latency(w, d->asker, w->dns_node);
    char line[DNS_LINE_MAX];
    dns_format_question(line, sizeof line, name, type);
    world_step *s = add_stepf(w, WORLD_STEP_DNS_QUERY, d->asker, w->dns_node, NULL, d->t,
                              d->t + lat, type == DNS_TYPE_TXT ? "dns.txt_query" : "dns.query",
                              "RFC 1035 4.1", "%s", line);
    (void)s;
    dns_format_answer(line, sizeof line, name, type, out);
    add_stepf(w, WORLD_STEP_DNS_ANSWER, w->dns_node, d->asker, NULL, d->t + lat, d->t + 2 * lat,
              type == DNS_TYPE_TXT ? "dns.txt_answer" : "dns.answer", "RFC 1035 4.1", "%s", line);
    d->t += 2 * lat;
    return rc;
}

/* ---- connections -------------------------------------------------------------------------- */

static void pump_client(world *w, conn *c);
static void pump_server(world *w, conn *c);
static void client_finished(world *w, conn *c, const char *why_refused);
static void queue_run(world *w, qmsg *m);
static void job_next_domain(world *w, job *j);

/* arrival - when bytes sent at t reach the other end: one latency later, never before what
 * was sent earlier in the same direction (TCP delivers in order). */
static uint64_t peek_arrival(const conn *c, int side, uint64_t t)
{
    uint64_t a = t + c->lat;
    return a < c->last_arrive[side] ? c->last_arrive[side] : a;
}

static uint64_t arrival(conn *c, int side, uint64_t t)
{
    uint64_t a = t + c->lat;
    if (a < c->last_arrive[side])
        a = c->last_arrive[side];
    c->last_arrive[side] = a;
    return a;
}

static void arm_timer(world *w, conn *c)
{
    if (c->finished)
        return;
    uint64_t d = UINT64_MAX;
    if (c->cl)
        d = smtp_client_deadline(c->cl);
    if (c->srv) {
        uint64_t s = smtp_server_deadline(c->srv);
        if (s < d)
            d = s;
    }
    if (d == UINT64_MAX)
        return;
    if (d < w->now)
        d = w->now;
    if (c->timer_at && c->timer_at > w->now && c->timer_at <= d)
        return;
    c->timer_at = d;
    schedule(w, d, EV_TIMER, c);
}

static void conn_free_engines(conn *c)
{
    smtp_client_free(c->cl);
    smtp_server_free(c->srv);
    c->cl = NULL;
    c->srv = NULL;
}

/* conn_close - one side closes: a CLOSE step, and the other side learns one latency later. */
static void conn_close(world *w, conn *c, int closer_is_server, uint64_t t, const char *why)
{
    if (c->closed)
        return;
    c->closed = true;
    int from = closer_is_server ? c->snode : c->cnode, to = closer_is_server ? c->cnode : c->snode;
    int side = closer_is_server ? 1 : 0;
    add_stepf(w, WORLD_STEP_CLOSE, from, to, c, t, peek_arrival(c, side, t), "conn.close",
              "RFC 5321 3.8",
              "%s", why ? why : "connection closed");
    /* the session is over: neither end is under TLS any more */
    set_state_text(w, c->cnode, w->nodes[c->cnode].st.state, 0);
    set_state_text(w, c->snode, w->nodes[c->snode].st.state, 0);
    schedule_full(w, arrival(c, side, t), EV_CLOSE_ARRIVE, c, side, NULL, 0, 0);
}

static void server_node_idle(world *w, conn *c)
{
    set_state_text(w, c->snode, w->nodes[c->snode].listen_state, 0);
}

/* build the server config for a connection to node s */
static void server_config(world *w, conn *c, int s);

static conn *conn_new(world *w, conn_kind kind, int cnode, int snode_i, uint16_t port)
{
    if (w->n_conns >= WORLD_MAX_CONNS)
        return NULL;
    conn *c = arena_alloc(&w->ar, sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->w = w;
    c->id = (int)w->n_conns;
    c->kind = kind;
    c->cnode = cnode;
    c->snode = snode_i;
    c->port = port;
    c->lat = latency(w, cnode, snode_i);
    c->srv_state = SMTP_SRV_GREETING;
    conn **cs = realloc(w->conns, (w->n_conns + 1) * sizeof *cs);
    if (!cs)
        return NULL;
    w->conns = cs;
    w->conns[w->n_conns++] = c;
    return c;
}

/* connect_start - the client opens a TCP connection (the SYN travels one latency). */
static void connect_start(world *w, conn *c)
{
    const wnode *s = &w->nodes[c->snode];
    add_stepf(w, WORLD_STEP_CONNECT, c->cnode, c->snode, c, w->now, w->now + c->lat,
              "conn.connect", "RFC 5321 3.1", "connect to %s [%s] port %u", s->pub.host,
              s->pub.addr, (unsigned)c->port);
    set_state_text(w, c->cnode, "connecting", 0);
    schedule(w, w->now + c->lat, EV_CONNECT_ARRIVE, c);
}

static void on_connect_arrive(world *w, conn *c)
{
    const scenario_node *sn = snode(w, c->snode);
    bool listens = c->port == sn->port || (sn->tls_port && c->port == sn->tls_port);
    if (!listens || fault_active(w, c->snode, w->now)) {
        add_stepf(w, WORLD_STEP_REFUSED, c->snode, c->cnode, c, w->now, w->now + c->lat,
                  "conn.refused", "RFC 5321 4.5.4.1", "connection refused: %s",
                  listens ? "the server is down" : "nothing listens on this port");
        c->closed = true;
        schedule(w, w->now + c->lat, EV_REFUSED_ARRIVE, c);
        return;
    }
    c->implicit_port = sn->tls_port && c->port == sn->tls_port;
    server_config(w, c, c->snode);
    bool client_implicit = c->ccfg.tls == SMTP_TLS_IMPLICIT;
    c->cl = smtp_client_new(&c->ccfg, w->now);
    if (!c->cl) {
        w->ar.failed = true;
        return;
    }
    if (c->implicit_port && client_implicit) {
        /* RFC 8314 3.3: TLS from the first byte; SMTP starts once the handshake is done. */
        c->peer.implicit_tls = true;
        c->srv = smtp_server_new(&c->scfg, &c->peer, w->now);
        add_stepf(w, WORLD_STEP_TLS, c->cnode, c->snode, c, w->now, w->now + 2 * c->lat,
                  "tls.implicit", "RFC 8314 3.3",
                  "TLS 1.3 handshake (simulated), implicit TLS on port %u", (unsigned)c->port);
        schedule(w, w->now + 2 * c->lat, EV_TLS_DONE, c);
        pump_server(w, c);
        return;
    }
    if (c->implicit_port) {
        /* A plain-text client on an implicit-TLS port: the server's TLS layer waits for a
         * ClientHello, the client waits for a 220 greeting. Neither speaks. */
        c->tls_layer_wait = true;
        add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now, "tls.layer_wait",
                  "RFC 8314 3.3",
                  "port %u expects TLS first: the server's TLS layer waits for a ClientHello, the "
                  "client waits for a 220 greeting",
                  (unsigned)c->port);
        set_state_text(w, c->snode, "TLS layer: waiting for ClientHello", 0);
        schedule(w, w->now + w->sp->tls_handshake_timeout_ms, EV_TLS_LAYER_TIMEOUT, c);
        pump_client(w, c);
        return;
    }
    if (client_implicit) {
        /* An implicit-TLS client on a plain port: its ClientHello meets a 220 in clear text. */
        c->client_tls_broken = true;
    }
    c->srv = smtp_server_new(&c->scfg, &c->peer, w->now);
    if (!c->srv) {
        w->ar.failed = true;
        return;
    }
    pump_server(w, c);
    if (!c->client_tls_broken)
        pump_client(w, c);
}

/* ---- server side -------------------------------------------------------------------------- */

static const char *map_reply_verb(const conn *c, const smtp_event *ev, int state_before)
{
    if (!ev->verb[0])
        return "CONNECT";
    if (!strcmp(ev->verb, "DATA") && ev->code != 354 && state_before == SMTP_SRV_DATA)
        return ".";
    (void)c;
    return ev->verb;
}

/* reply_text - "250 2.1.0 Ok" from the first line; "(+N lines)" for multi-line replies;
 * written straight into the arena (this runs for every reply). */
static const char *reply_text(world *w, const char *b, size_t len)
{
    const char *end = b + len, *nl = memchr(b, '\n', len);
    size_t first = nl ? (size_t)(nl - b) : len;
    if (first && b[first - 1] == '\r')
        first--;
    if (first > 300)
        first = 300;
    size_t lines = 0;
    for (const char *p = b; p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    if (lines <= 1)
        return arena_mem(&w->ar, b, first);
    char suffix[32] = " (+", digits[24];
    size_t n = 3, k = 0, v = lines - 1;
    do
        digits[k++] = (char)('0' + v % 10);
    while ((v /= 10) && k < sizeof digits);
    while (k)
        suffix[n++] = digits[--k];
    memcpy(suffix + n, " lines)", 8);
    n += 7;
    char *t = arena_alloc(&w->ar, first + n + 1);
    if (!t)
        return NULL;
    memcpy(t, b, first);
    memcpy(t + first, suffix, n + 1);
    return t;
}

static void pump_server(world *w, conn *c)
{
    if (!c->srv)
        return;
    smtp_event ev;
    const char *out;
    size_t out_len = smtp_server_output(c->srv, &out);
    uint64_t t = (w->now > c->srv_ready_at ? w->now : c->srv_ready_at) + c->srv_delay;
    c->srv_ready_at = t;
    c->srv_delay = 0;
    /* The output is the concatenation of the replies; a reply fault swaps one of them. */
    char *seg = out_len ? arena_mem(&w->ar, out, out_len) : NULL;
    size_t seg_len = out_len;
    bool want_close = false, want_tls = false;
    while (smtp_server_next_event(c->srv, &ev)) {
        switch (ev.kind) {
        case SMTP_EV_STATE: {
            c->srv_state = ev.state_to;
            set_state_text(w, c->snode, smtp_server_state_name((smtp_server_state)ev.state_to),
                           c->tls);
            break;
        }
        case SMTP_EV_REPLY: {
            int before = c->srv_state;
            if (ev.code == 354)
                before = -1;
            const char *verb = map_reply_verb(c, &ev, before);
            wnode *sn = &w->nodes[c->snode];
            int slot = verb_slot(verb);
            unsigned nth = ++sn->replies[slot];
            const scenario_fault *f =
                slot < 15 ? find_reply_fault(w, c->snode, verb, (int)nth) : NULL;
            const char *bytes = ev.bytes;
            size_t blen = ev.len;
            int code = ev.code;
            const char *esc = ev.esc;
            const char *key = ev.key, *rfc = ev.rfc;
            const char *orig = NULL;
            bool swapped = false;
            if (f && !(c->armed_used && code == f->code)) {
                char rb[600];
                int n = f->esc[0] ? snprintf(rb, sizeof rb, "%d %s %s\r\n", f->code, f->esc, f->text)
                                  : snprintf(rb, sizeof rb, "%d %s\r\n", f->code, f->text);
                char *nb = arena_mem(&w->ar, rb, (size_t)n);
                /* replace the original bytes inside the segment */
                char *hit = NULL;
                for (size_t i = 0; seg && i + ev.len <= seg_len; i++)
                    if (!memcmp(seg + i, ev.bytes, ev.len)) {
                        hit = seg + i;
                        break;
                    }
                if (hit && nb) {
                    orig = reply_text(w, ev.bytes, ev.len);
                    size_t off = (size_t)(hit - seg);
                    size_t nl = seg_len - ev.len + (size_t)n;
                    char *ns = arena_alloc(&w->ar, nl + 1);
                    if (ns) {
                        memcpy(ns, seg, off);
                        memcpy(ns + off, nb, (size_t)n);
                        memcpy(ns + off + n, seg + off + ev.len, seg_len - off - ev.len);
                        seg = ns;
                        seg_len = nl;
                    }
                    bytes = nb;
                    blen = (size_t)n;
                    code = f->code;
                    esc = f->esc;
                    key = "whatif.reply";
                    swapped = true;
                }
            }
            const char *text = reply_text(w, bytes, blen);
            world_step *s = add_step_raw(w, WORLD_STEP_REPLY, c->snode, c->cnode, c, t,
                                         peek_arrival(c, 1, t), text);
            if (s) {
                /* share the in-flight copy when the reply is part of it */
                if (!swapped && seg && ev.bytes >= out && ev.bytes + ev.len <= out + out_len)
                    s->bytes = seg + (ev.bytes - out);
                else
                    s->bytes = arena_mem(&w->ar, bytes, blen);
                s->len = blen;
                copy_str(s->verb, sizeof s->verb, verb);
                s->code = code;
                copy_str(s->esc, sizeof s->esc, esc);
                s->rfc = rfc;
                s->key = key;
            }
            if (f && (swapped || c->armed_used))
                add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, t, t, "whatif.note", "",
                          swapped ? "what if: this reply was replaced (the server's own reply "
                                    "was: %s)"
                                  : "what if: the server's policy was told to answer this (%s)",
                          swapped && orig ? orig : text ? text : "");
            c->armed = NULL;
            c->armed_used = false;
            break;
        }
        case SMTP_EV_STARTTLS:
            want_tls = true;
            break;
        case SMTP_EV_CLOSE:
            want_close = true;
            break;
        default:
            break;
        }
    }
    flush_deferred(w, c, t);
    if (out_len)
        smtp_server_output_consumed(c->srv, out_len);
    if (seg_len && !c->closed)
        schedule_full(w, arrival(c, 1, t), EV_BYTES, c, 1, seg, seg_len, 0);
    (void)want_tls; /* the client starts the handshake when it reads the 220 */
    if ((want_close || smtp_server_done(c->srv)) && !c->closed) {
        conn_close(w, c, 1, t, "connection closed by the server");
        server_node_idle(w, c);
    }
    arm_timer(w, c);
}

/* arm_fault - a reply fault for the next reply to `verb` on this server, if there is one: the
 * server's policy hooks answer with it (see take_armed), or pump_server swaps the bytes. */
static void arm_fault(world *w, conn *c, const char *verb)
{
    c->armed = NULL;
    c->armed_used = false;
    if (!verb[0] || !c->split_lines)
        return;
    int slot = verb_slot(verb);
    if (slot < 15) {
        const scenario_fault *f =
            find_reply_fault(w, c->snode, verb, (int)w->nodes[c->snode].replies[slot] + 1);
        if (f && f->code >= 400)
            c->armed = f;
    }
}

/* feed_server - bytes arrive at the server. Commands are fed one line at a time (a pipelined
 * group too), so each reply follows the checks its own command caused, and a reply fault knows
 * which command it answers; message content goes in one piece up to its final ".". */
static void feed_server(world *w, conn *c, const char *b, size_t len)
{
    size_t i = 0;
    while (i < len && c->srv && !c->closed) {
        char verb[16] = "";
        size_t n;
        if (c->srv_state == SMTP_SRV_DATA) {
            /* RFC 5321 4.1.1.4: the content ends with a line holding only "." */
            size_t j = i;
            while (j < len) {
                const char *lf = memchr(b + j, '\n', len - j);
                size_t ln = lf ? (size_t)(lf - (b + j)) + 1 : len - j;
                bool dot = b[j] == '.' && ((ln == 2 && b[j + 1] == '\n') ||
                                           (ln == 3 && b[j + 1] == '\r' && b[j + 2] == '\n'));
                j += ln;
                if (dot) {
                    strcpy(verb, ".");
                    break;
                }
            }
            n = j - i;
        } else {
            const char *lf = memchr(b + i, '\n', len - i);
            n = lf ? (size_t)(lf - (b + i)) + 1 : len - i;
            size_t k = 0;
            while (k < n && k < sizeof verb - 1 && b[i + k] != ' ' && b[i + k] != '\r' &&
                   b[i + k] != '\n') {
                verb[k] = (char)toupper((unsigned char)b[i + k]);
                k++;
            }
            verb[k] = '\0';
        }
        arm_fault(w, c, verb);
        smtp_server_feed(c->srv, b + i, n, w->now);
        pump_server(w, c);
        i += n;
    }
}

/* ---- client side -------------------------------------------------------------------------- */

static void pump_client(world *w, conn *c)
{
    if (!c->cl)
        return;
    smtp_event ev;
    const char *out;
    size_t out_len = smtp_client_output(c->cl, &out);
    uint64_t t = w->now;
    bool want_tls = false, want_close = false;
    char *seg = out_len ? arena_mem(&w->ar, out, out_len) : NULL;
    while (smtp_client_next_event(c->cl, &ev)) {
        switch (ev.kind) {
        case SMTP_EV_STATE:
            set_state_text(w, c->cnode, smtp_client_state_name((smtp_client_state)ev.state_to),
                           c->tls);
            break;
        case SMTP_EV_COMMAND: {
            size_t n = ev.len;
            while (n && (ev.bytes[n - 1] == '\n' || ev.bytes[n - 1] == '\r'))
                n--;
            world_step *s = add_step_raw(w, WORLD_STEP_COMMAND, c->cnode, c->snode, c, t,
                                         peek_arrival(c, 0, t),
                                         arena_mem(&w->ar, ev.bytes, n > 300 ? 300 : n));
            if (s) {
                if (seg && ev.bytes >= out && ev.bytes + ev.len <= out + out_len)
                    s->bytes = seg + (ev.bytes - out);
                else
                    s->bytes = arena_mem(&w->ar, ev.bytes, ev.len);
                s->len = ev.len;
                copy_str(s->verb, sizeof s->verb, ev.verb);
                s->rfc = ev.rfc;
                s->key = ev.key;
            }
            break;
        }
        case SMTP_EV_DATA: {
            world_step *s = add_stepf(w, WORLD_STEP_DATA, c->cnode, c->snode, c, t,
                                      peek_arrival(c, 0, t),
                                      ev.key, ev.rfc, "message content (%zu bytes)", ev.len);
            if (s) {
                if (seg && ev.bytes >= out && ev.bytes + ev.len <= out + out_len)
                    s->bytes = seg + (ev.bytes - out);
                else
                    s->bytes = arena_mem(&w->ar, ev.bytes, ev.len);
                s->len = ev.len;
                strcpy(s->verb, "DATA");
            }
            break;
        }
        case SMTP_EV_STARTTLS:
            want_tls = true;
            break;
        case SMTP_EV_CLOSE:
            want_close = true;
            break;
        case SMTP_EV_ERROR: {
            if (!ev.code)
                break; /* a lost connection: reported with the result */
            /* the client decided something on its own (RFC 1870 6: too large for SIZE, ...) */
            const smtp_client_result *r = smtp_client_result_get(c->cl);
            world_step *s = add_stepf(w, WORLD_STEP_CHECK, c->cnode, c->cnode, c, t, t, ev.key,
                                      ev.rfc, "client decision: %d%s%s %s",
                                      ev.code, ev.esc[0] ? " " : "", ev.esc,
                                      r && r->text[0] ? r->text : ev.key);
            if (s) {
                s->code = ev.code;
                copy_str(s->esc, sizeof s->esc, ev.esc);
            }
            break;
        }
        default:
            break;
        }
    }
    if (out_len) {
        smtp_client_output_consumed(c->cl, out_len);
        if (!c->closed)
            schedule_full(w, arrival(c, 0, t), EV_BYTES, c, 0, seg, out_len, 0);
    }
    if (want_tls && !c->closed) {
        /* The handshake: ClientHello, ServerHello..Finished, client Finished (RFC 8446 2). */
        add_stepf(w, WORLD_STEP_TLS, c->cnode, c->snode, c, t, t + 2 * c->lat, "tls.handshake",
                  "RFC 3207 4", "TLS 1.3 handshake (simulated)");
        schedule(w, t + 2 * c->lat, EV_TLS_DONE, c);
    }
    if (smtp_client_done(c->cl)) {
        if (!c->client_reported) {
            c->client_reported = true;
            client_finished(w, c, NULL);
        }
        /* the client has nothing more to say; if the server has not closed, the client does */
        if (!c->closed && (want_close || c->srv == NULL || smtp_server_done(c->srv)))
            conn_close(w, c, 0, t, "connection closed by the client");
    }
    arm_timer(w, c);
}

/* ---- what the world does with a finished client ------------------------------------------ */

static void mua_report(world *w, conn *c, const char *why)
{
    int node = c->cnode;
    const wnode *n = &w->nodes[node];
    if (!c->cl || why) {
        add_stepf(w, WORLD_STEP_CHECK, node, node, c, w->now, w->now, "mua.failed",
                  "RFC 6409 4", "%s could not send the message: %s", n->pub.name,
                  why ? why : "no connection");
        set_state_text(w, node, "gave up", 0);
        return;
    }
    const smtp_client_result *r = smtp_client_result_get(c->cl);
    if (r->status == SMTP_RESULT_OK) {
        if (r->n_accepted < r->n_rcpts)
            add_stepf(w, WORLD_STEP_CHECK, node, node, c, w->now, w->now, "mua.partial",
                      "RFC 5321 3.3", "%s: message sent to %zu of %zu recipients", n->pub.name,
                      r->n_accepted, r->n_rcpts);
        else
            add_stepf(w, WORLD_STEP_CHECK, node, node, c, w->now, w->now, "mua.sent",
                      "RFC 6409 4", "%s: message submitted", n->pub.name);
        set_state_text(w, node, "sent", 0);
    } else {
        char what[256];
        if (r->code)
            snprintf(what, sizeof what, "%d%s%s %s (at %s)", r->code, r->esc[0] ? " " : "", r->esc,
                     r->text, r->stage ? r->stage : "?");
        else
            snprintf(what, sizeof what, "%s (at %s)", r->text, r->stage ? r->stage : "?");
        add_stepf(w, WORLD_STEP_CHECK, node, node, c, w->now, w->now, "mua.failed",
                  "RFC 6409 4", "%s could not send the message: %s", n->pub.name, what);
        set_state_text(w, node, "gave up", 0);
    }
}

static void job_session_done(world *w, job *j, conn *c, const char *why_refused);

static void client_finished(world *w, conn *c, const char *why_refused)
{
    if (c->kind == CONN_SUBMIT)
        mua_report(w, c, why_refused);
    else if (c->job)
        job_session_done(w, c->job, c, why_refused);
}

/* ---- policy hooks (run inside the server engine) ----------------------------------------- */

static bool take_armed(conn *c, const char *verb, smtp_verdict *v)
{
    if (!c->armed || strcmp(c->armed->verb, verb))
        return false;
    v->code = c->armed->code;
    copy_str(v->esc, sizeof v->esc, c->armed->esc);
    snprintf(v->text, sizeof v->text, "%.159s", c->armed->text);
    c->armed_used = true;
    return true;
}

static world *conn_world(conn *c) { return c->w; }

static void mail_policy(conn *c, const smtp_envelope *env, smtp_verdict *v);

/* The hooks run the world's own policy first (so its checks and DNS steps appear exactly as in
 * the original run), then a what-if reply armed for this command overrides the verdict. */
static void hook_mail_real(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    conn *c = ctx;
    mail_policy(c, env, v);
    take_armed(c, "MAIL", v);
}

static void mail_policy(conn *c, const smtp_envelope *env, smtp_verdict *v)
{
    world *w = conn_world(c);
    const scenario_node *sn = snode(w, c->snode);
    if (sn->kind != SCENARIO_NODE_MX || sn->spf == SCENARIO_SPF_OFF)
        return;
    /* RFC 7208 2.4: check the MAIL FROM identity (HELO when the path is null). */
    dns_ctx d = {.w = w, .asker = c->snode, .c = c, .t = w->now};
    spf_outcome o;
    spf_check(recorded_lookup, &d, c->peer.addr, env->mail_from ? env->mail_from : "",
              env->helo ? env->helo : "", &o);
    c->srv_delay += d.t - w->now;
    add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, d.t, d.t,
              o.result == SPF_PASS ? "spf.pass" : o.result == SPF_FAIL ? "spf.fail" : "spf.other",
              "RFC 7208 2.6", "SPF %s for %s from %s: %s", spf_result_name(o.result), o.domain,
              c->peer.addr, o.reason);
    char hdr[SPF_HEADER_MAX];
    long n = spf_received_header(hdr, sizeof hdr, &o, sn->host, c->peer.addr,
                                 env->mail_from ? env->mail_from : "", env->helo ? env->helo : "");
    if (n > 0)
        c->spf_header = arena_mem(&w->ar, hdr, (size_t)n);
    if (sn->spf == SCENARIO_SPF_ENFORCE) {
        if (o.result == SPF_FAIL) {
            /* RFC 7372 3.2: 5.7.23 SPF validation failed */
            v->code = 550;
            strcpy(v->esc, "5.7.23");
            snprintf(v->text, sizeof v->text, "SPF validation failed for %.100s", o.domain);
        } else if (o.result == SPF_TEMPERROR) {
            v->code = 451;
            strcpy(v->esc, "4.4.3");
            snprintf(v->text, sizeof v->text, "SPF temporary error, try again later");
        } else if (o.result == SPF_PERMERROR) {
            v->code = 550;
            strcpy(v->esc, "5.7.24");
            snprintf(v->text, sizeof v->text, "SPF record of %.100s is broken", o.domain);
        }
    }
}

static void rcpt_policy(conn *c, const smtp_envelope *env, const char *rcpt, smtp_verdict *v);

static void hook_rcpt(void *ctx, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    conn *c = ctx;
    rcpt_policy(c, env, rcpt, v);
    take_armed(c, "RCPT", v);
}

static void rcpt_policy(conn *c, const smtp_envelope *env, const char *rcpt, smtp_verdict *v)
{
    world *w = conn_world(c);
    wnode *n = &w->nodes[c->snode];
    const scenario_node *sn = n->sn;
    if (sn->kind != SCENARIO_NODE_MX)
        return;
    /* unknown mailbox (the engine's list only knows local parts, not their domains) */
    bool found = false;
    for (size_t i = 0; i < w->n_nodes && !found; i++) {
        const scenario_node *m = w->nodes[i].sn;
        if (m && m->kind == SCENARIO_NODE_MAILBOX && m->mailbox_server == c->snode &&
            !strcasecmp(m->address, rcpt))
            found = true;
    }
    if (!found) {
        v->code = 550;
        strcpy(v->esc, "5.1.1");
        snprintf(v->text, sizeof v->text, "<%.100s>: Recipient address rejected: User unknown",
                 rcpt);
        return;
    }
    if (sn->greylist_s) {
        /* Greylisting: refuse a new (client address, sender, recipient) for a while. */
        char key[320];
        snprintf(key, sizeof key, "%s|%s|%s", c->peer.addr, env->mail_from ? env->mail_from : "",
                 rcpt);
        size_t i;
        for (i = 0; i < n->n_grey; i++)
            if (!strcmp(n->grey[i].key, key))
                break;
        if (i == n->n_grey && n->n_grey < WORLD_MAX_GREYLIST) {
            if (!n->grey)
                n->grey = arena_alloc(&w->ar, WORLD_MAX_GREYLIST * sizeof *n->grey);
            if (n->grey) {
                copy_str(n->grey[i].key, sizeof n->grey[i].key, key);
                n->grey[i].first = w->now;
                n->n_grey++;
            }
        }
        uint64_t first = i < n->n_grey && n->grey ? n->grey[i].first : w->now;
        if (w->now - first < (uint64_t)sn->greylist_s * 1000) {
            v->code = 451;
            strcpy(v->esc, "4.7.1");
            snprintf(v->text, sizeof v->text, "<%.100s>: Greylisted, try again in %u seconds",
                     rcpt, (unsigned)(((uint64_t)sn->greylist_s * 1000 - (w->now - first) + 999) /
                                      1000));
            add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now,
                      "greylist.defer", "RFC 6647 2.1",
                      "greylisting: first seen %llu s ago, accepting after %u s",
                      (unsigned long long)((w->now - first) / 1000), (unsigned)sn->greylist_s);
        } else {
            add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now,
                      "greylist.pass", "RFC 6647 2.1",
                      "greylisting: triple first seen %llu s ago: accepted",
                      (unsigned long long)((w->now - first) / 1000));
        }
    }
}

static qmsg *queue_add(world *w, int owner, const char *from, const char *const *rcpts,
                       size_t n_rcpts, const char *data, size_t len, bool smtputf8);

static void add_received(world *w, conn *c, const smtp_envelope *env, mail_buf *mb,
                         const char *qid)
{
    char date[MAIL_DATE_MAX];
    virtual_date(w, w->now, date);
    mail_received r = {
        .helo = env->helo,
        .peer_name = c->peer.name,
        .peer_addr = c->peer.addr,
        .by = snode(w, c->snode)->host,
        /* RFC 6531 3.7.3: UTF8SMTP, UTF8SMTPS, UTF8SMTPA, UTF8SMTPSA for SMTPUTF8 mail */
        .with = mail_with_protocol_utf8(env->esmtp, env->tls, env->auth_user != NULL,
                                        env->smtputf8),
        .id = qid,
        .rcpt = env->n_rcpts == 1 ? env->rcpts[0] : NULL,
        .date = date,
    };
    mail_prepend_received(mb, &r);
}

static void dkim_secret(const world *w, const char *domain, const char *selector,
                        unsigned char out[SHA256_DIGEST_LEN])
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "smtpsim-dkim|%s|%s|%u", domain, selector,
                     (unsigned)w->sp->seed);
    sha256(buf, (size_t)n, out);
}

static void hook_accept(void *ctx, const smtp_envelope *env, smtp_verdict *v)
{
    conn *c = ctx;
    world *w = conn_world(c);
    const scenario_node *sn = snode(w, c->snode);
    if (mail_header_count(env->data, env->data_len, "Received") >= WORLD_MAX_HOPS) {
        /* RFC 5321 6.3: a message that has crossed this many hops is looping */
        v->code = 554;
        strcpy(v->esc, "5.4.6");
        snprintf(v->text, sizeof v->text, "Too many hops (%d Received: fields): mail loop",
                 WORLD_MAX_HOPS);
        take_armed(c, ".", v);
        return;
    }
    mail_buf mb;
    mail_buf_init(&mb);
    mail_buf_set(&mb, env->data, env->data_len);
    char qid[16];
    snprintf(qid, sizeof qid, "%010llX", (unsigned long long)(rng_next(w) & 0xFFFFFFFFFFULL));
    add_received(w, c, env, &mb, qid);
    if (sn->kind == SCENARIO_NODE_MX) {
        if (sn->dkim_verify) {
            dns_ctx d = {.w = w, .asker = c->snode, .c = c, .t = w->now};
            dkim_outcome o;
            dkim_verify(mb.data, mb.len, recorded_lookup, &d, &o);
            c->srv_delay += d.t - w->now;
            add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, d.t, d.t,
                      o.result == DKIM_PASS ? "dkim.pass" : "dkim.other", "RFC 6376 6",
                      "DKIM %s: %s", dkim_result_name(o.result),
                      o.reason[0] ? o.reason : DKIM_SIMULATED_NOTE);
            char ar[512];
            snprintf(ar, sizeof ar, "%s; dkim=%s (%s)%s%s", sn->host, dkim_result_name(o.result),
                     DKIM_SIMULATED_NOTE, o.domain[0] ? " header.d=" : "", o.domain);
            c->auth_res = arena_str(&w->ar, ar);
        }
        if (take_armed(c, ".", v)) {
            mail_buf_free(&mb); /* what if: refused, so never stored */
            return;
        }
        if (c->spf_header)
            mail_buf_prepend(&mb, c->spf_header, strlen(c->spf_header));
        if (c->auth_res)
            mail_prepend_header(&mb, "Authentication-Results", c->auth_res);
        /* Final delivery: Return-Path (RFC 5321 4.4), then into each mailbox. */
        mail_prepend_return_path(&mb, env->mail_from ? env->mail_from : "");
        if (mb.failed) {
            mail_buf_free(&mb);
            v->code = 451;
            strcpy(v->esc, "4.3.0");
            strcpy(v->text, "Local error in processing");
            return;
        }
        for (size_t i = 0; i < env->n_rcpts; i++) {
            for (size_t k = 0; k < w->n_nodes; k++) {
                wnode *m = &w->nodes[k];
                if (!m->sn || m->sn->kind != SCENARIO_NODE_MAILBOX ||
                    m->sn->mailbox_server != c->snode || strcasecmp(m->sn->address, env->rcpts[i]))
                    continue;
                if (m->n_mail == m->cap_mail) {
                    size_t cap = m->cap_mail ? m->cap_mail * 2 : 4;
                    const char **nm = arena_alloc(&w->ar, cap * sizeof *nm);
                    size_t *nl = arena_alloc(&w->ar, cap * sizeof *nl);
                    if (!nm || !nl)
                        break;
                    if (m->n_mail) {
                        memcpy(nm, m->mail, m->n_mail * sizeof *nm);
                        memcpy(nl, m->mail_len, m->n_mail * sizeof *nl);
                    }
                    m->mail = nm;
                    m->mail_len = nl;
                    m->cap_mail = cap;
                }
                const char *stored = arena_mem(&w->ar, mb.data, mb.len);
                m->mail[m->n_mail] = stored;
                m->mail_len[m->n_mail] = mb.len;
                m->n_mail++;
                uint32_t lat = latency(w, c->snode, (int)k);
                char text[WORLD_TEXT_MAX];
                snprintf(text, sizeof text, "delivered to the mailbox of %s (%zu bytes)",
                         env->rcpts[i], mb.len);
                defer_step(w, c, WORLD_STEP_DELIVER, c->snode, (int)k, w->now, w->now + lat,
                           "deliver.mailbox", "RFC 5321 4.4", text, stored, (int)k);
                break;
            }
        }
        mail_buf_free(&mb);
        return;
    }
    /* MSA or MTA: DKIM signing on the way out, then into the queue. */
    if (sn->dkim_domain) {
        unsigned char secret[SHA256_DIGEST_LEN];
        dkim_secret(w, sn->dkim_domain, sn->dkim_selector, secret);
        char sig[DKIM_SIGNATURE_MAX];
        long n = dkim_sign(mb.data, mb.len, sn->dkim_domain, sn->dkim_selector, secret,
                           sizeof secret, NULL, 0, sig, sizeof sig);
        if (n > 0) {
            mail_buf_prepend(&mb, sig, (size_t)n);
            add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now, "dkim.sign",
                      "RFC 6376 5", "DKIM-Signature added: d=%s s=%s (%s)", sn->dkim_domain,
                      sn->dkim_selector, DKIM_SIMULATED_NOTE);
        }
    }
    if (take_armed(c, ".", v)) {
        mail_buf_free(&mb); /* what if: refused, so never queued */
        return;
    }
    if (mb.failed) {
        mail_buf_free(&mb);
        v->code = 451;
        strcpy(v->esc, "4.3.0");
        strcpy(v->text, "Local error in processing");
        return;
    }
    int owner = sn->kind == SCENARIO_NODE_MSA && sn->relay_to >= 0 ? sn->relay_to : c->snode;
    qmsg *m = queue_add(w, owner, env->mail_from ? env->mail_from : "", env->rcpts, env->n_rcpts,
                        mb.data, mb.len, env->smtputf8);
    mail_buf_free(&mb);
    if (!m) {
        v->code = 452;
        strcpy(v->esc, "4.3.1");
        strcpy(v->text, "Insufficient system storage");
        return;
    }
    copy_str(m->qid, sizeof m->qid, qid);
    /* v->code stays 0: the engine answers with its usual 250 */
    uint32_t lat = latency(w, c->snode, owner);
    char text[WORLD_TEXT_MAX];
    if (owner != c->snode) {
        snprintf(text, sizeof text, "queued as %s, handed to %s %s (%zu recipient%s)", qid,
                 role_label(w, owner), w->nodes[owner].pub.name, m->n_rcpts,
                 m->n_rcpts == 1 ? "" : "s");
        defer_step(w, c, WORLD_STEP_QUEUE, c->snode, owner, w->now, w->now + lat,
                   "queue.handoff", "RFC 6409 1", text, NULL, -1);
    } else {
        snprintf(text, sizeof text, "queued as %s (%zu recipient%s)", qid, m->n_rcpts,
                 m->n_rcpts == 1 ? "" : "s");
        defer_step(w, c, WORLD_STEP_QUEUE, c->snode, owner, w->now, w->now, "queue.queued",
                   "RFC 5321 4.1.1.4", text, NULL, -1);
    }
    schedule(w, w->now + lat, EV_HANDOFF, m);
}

/* ---- server config per connection --------------------------------------------------------- */

static void server_config(world *w, conn *c, int s)
{
    wnode *n = &w->nodes[s];
    const scenario_node *sn = n->sn;
    smtp_role role = sn->kind == SCENARIO_NODE_MSA   ? SMTP_ROLE_MSA
                     : sn->kind == SCENARIO_NODE_MTA ? SMTP_ROLE_MTA
                                                     : SMTP_ROLE_MX;
    smtp_server_config *cfg = &c->scfg;
    smtp_server_config_default(cfg, role);
    cfg->hostname = sn->host;
    cfg->local_domains = sn->domains;
    cfg->n_local_domains = sn->n_domains;
    cfg->mailboxes = NULL; /* hook_rcpt knows the mailboxes by whole address */
    cfg->n_mailboxes = 0;
    cfg->users = n->users;
    cfg->n_users = sn->n_users;
    cfg->limits = sn->limits;
    cfg->tls_available = sn->starttls;
    cfg->require_tls = sn->require_tls;
    cfg->require_auth = sn->require_auth;
    cfg->allow_plain_auth = sn->allow_plain_auth;
    cfg->pipelining = sn->ext_pipelining;
    cfg->smtputf8 = sn->ext_smtputf8;
    cfg->eightbitmime = sn->ext_8bitmime;
    cfg->dsn = sn->ext_dsn;
    cfg->policy.ctx = c;
    cfg->policy.on_mail = hook_mail_real;
    cfg->policy.on_rcpt = hook_rcpt;
    cfg->policy.on_accept = hook_accept;
    memset(&c->peer, 0, sizeof c->peer);
    const wnode *cn = &w->nodes[c->cnode];
    copy_str(c->peer.addr, sizeof c->peer.addr, cn->pub.addr);
    copy_str(c->peer.name, sizeof c->peer.name, cn->pub.host);
    for (size_t i = 0; i < sn->n_trusted; i++)
        if (sn->trusted[i] == c->cnode)
            c->peer.trusted = true;
    c->split_lines = has_reply_faults(w, s);
}

/* ---- queue and relay ---------------------------------------------------------------------- */

static qmsg *queue_add(world *w, int owner, const char *from, const char *const *rcpts,
                       size_t n_rcpts, const char *data, size_t len, bool smtputf8)
{
    if (w->n_queue >= WORLD_MAX_QUEUE || n_rcpts == 0 || n_rcpts > SCENARIO_MAX_RCPTS)
        return NULL;
    qmsg *m = arena_alloc(&w->ar, sizeof *m);
    if (!m)
        return NULL;
    memset(m, 0, sizeof *m);
    m->owner = owner;
    m->from = arena_str(&w->ar, from);
    m->rcpts = arena_alloc(&w->ar, n_rcpts * sizeof *m->rcpts);
    m->rstate = arena_alloc(&w->ar, n_rcpts * sizeof *m->rstate);
    m->rwhy = arena_alloc(&w->ar, n_rcpts * sizeof *m->rwhy);
    m->rmta = arena_alloc(&w->ar, n_rcpts * sizeof *m->rmta);
    m->rexpired = arena_alloc(&w->ar, n_rcpts * sizeof *m->rexpired);
    m->data = arena_mem(&w->ar, data, len);
    if (!m->from || !m->rcpts || !m->rstate || !m->rwhy || !m->rmta || !m->rexpired || !m->data)
        return NULL;
    for (size_t i = 0; i < n_rcpts; i++) {
        m->rcpts[i] = arena_str(&w->ar, rcpts[i]);
        m->rstate[i] = 0;
        m->rwhy[i] = "";
        m->rmta[i] = NULL;
        m->rexpired[i] = false;
        if (non_ascii(rcpts[i]))
            smtputf8 = true;
    }
    m->n_rcpts = n_rcpts;
    m->len = len;
    m->queued_at = w->now;
    m->wait_s = w->sp->retry_first_s;
    m->smtputf8 = smtputf8 || non_ascii(from);
    w->queue = realloc(w->queue, (w->n_queue + 1) * sizeof *w->queue);
    if (!w->queue)
        return NULL;
    w->queue[w->n_queue++] = m;
    return m;
}

static void queue_count(world *w, int node, int delta)
{
    w->nodes[node].queue_len += delta;
    set_counts(w, node);
}

static void bounce(world *w, qmsg *m, const size_t *which, size_t n_which)
{
    int node = m->owner;
    const scenario_node *sn = snode(w, node);
    if (!m->from[0]) {
        /* RFC 5321 4.5.5 / 6.1: a bounce that cannot be delivered is not bounced again */
        add_stepf(w, WORLD_STEP_BOUNCE, node, node, NULL, w->now, w->now, "bounce.double",
                  "RFC 5321 6.1",
                  "the undeliverable message is itself a bounce (MAIL FROM:<>): dropped, never "
                  "bounced again");
        return;
    }
    dsn_recipient rs[DSN_MAX_RECIPIENTS];
    size_t n = 0;
    char status[DSN_MAX_RECIPIENTS][16];
    char first_reason[320] = "";
    for (size_t i = 0; i < n_which && n < DSN_MAX_RECIPIENTS; i++) {
        size_t r = which[i];
        const char *why = m->rwhy[r];
        /* the enhanced code of the reply, when there is one: "550 5.1.1 ..." */
        const char *sp1 = strchr(why, ' ');
        status[n][0] = '\0';
        if (m->rexpired[r])
            copy_str(status[n], sizeof status[n], "4.4.7"); /* RFC 3463 3.5: time expired */
        else if (sp1 && isdigit((unsigned char)sp1[1]) && sp1[2] == '.') {
            size_t k = strcspn(sp1 + 1, " ");
            snprintf(status[n], sizeof status[n], "%.*s", (int)(k < 15 ? k : 15), sp1 + 1);
        }
        if (!status[n][0])
            copy_str(status[n], sizeof status[n], why[0] == '4' ? "4.4.7" : "5.0.0");
        /* RFC 3464 2.3.5-2.3.6: Remote-MTA and "Diagnostic-Code: smtp;" report what a remote
         * SMTP server answered; a failure the MTA decided itself (null MX, no route, refused
         * connection) has neither: its Status code says it. */
        rs[n] = (dsn_recipient){.address = m->rcpts[r], .action = "failed", .status = status[n],
                                .diagnostic = m->rmta[r] && why[0] ? why : NULL,
                                .remote_mta = m->rmta[r],
                                .reason = m->rmta[r] ? NULL : why};
        if (n == 0)
            snprintf(first_reason, sizeof first_reason, "%s%s%s",
                     m->rexpired[r] ? "4.4.7 delivery time expired" : "",
                     m->rexpired[r] && why[0] ? "; last error: " : "", why[0] ? why : status[n]);
        n++;
    }
    char arrival[MAIL_DATE_MAX], date[MAIL_DATE_MAX];
    virtual_date(w, m->queued_at, arrival);
    virtual_date(w, w->now, date);
    dsn_input in = {.reporting_mta = sn->host, .sender = m->from, .arrival_date = arrival,
                    .date = date, .original = m->data, .original_len = m->len, .rcpts = rs,
                    .n_rcpts = n};
    mail_buf mb;
    mail_buf_init(&mb);
    if (dsn_build(&in, &mb) < 0 || mb.failed) {
        mail_buf_free(&mb);
        return;
    }
    const char *to[1] = {m->from};
    qmsg *b = queue_add(w, node, "", to, 1, mb.data, mb.len, false);
    world_step *s = add_stepf(w, WORLD_STEP_BOUNCE, node, node, NULL, w->now, w->now,
                              "bounce.dsn", "RFC 3464 2",
                              "delivery status notification to %s: %zu recipient%s failed (%s)",
                              m->from, n, n == 1 ? "" : "s", first_reason);
    if (s && b)
        s->detail = b->data;
    mail_buf_free(&mb);
    if (b) {
        snprintf(b->qid, sizeof b->qid, "%010llX",
                 (unsigned long long)(rng_next(w) & 0xFFFFFFFFFFULL));
        queue_count(w, node, 1);
        schedule(w, w->now, EV_QUEUE_RUN, b);
    }
}

/* queue_settle - after an attempt: done, bounce failures, defer the rest. */
static void queue_settle(world *w, qmsg *m, const char *defer_reason)
{
    size_t failed[SCENARIO_MAX_RCPTS], n_failed = 0, n_pending = 0;
    uint64_t age = w->now - m->queued_at;
    bool expired = age + (uint64_t)m->wait_s * 1000 > (uint64_t)w->sp->retry_give_up_s * 1000;
    for (size_t i = 0; i < m->n_rcpts; i++) {
        if (m->rstate[i] == 0 && expired) {
            /* RFC 3463 3.5: X.4.7 delivery time expired; the last error stays for the DSN */
            m->rstate[i] = 2;
            m->rexpired[i] = true;
        }
        if (m->rstate[i] == 2) {
            failed[n_failed++] = i;
            m->rstate[i] = 3; /* reported */
        }
        if (m->rstate[i] == 0)
            n_pending++;
    }
    m->active = false;
    if (n_failed)
        bounce(w, m, failed, n_failed);
    if (n_pending) {
        uint32_t wait = m->wait_s;
        add_stepf(w, WORLD_STEP_QUEUE, m->owner, m->owner, NULL, w->now, w->now, "queue.deferred",
                  "RFC 5321 4.5.4.1", "%s deferred (%zu recipient%s): %s; next try in %u s",
                  m->qid, n_pending, n_pending == 1 ? "" : "s",
                  defer_reason && defer_reason[0] ? defer_reason : "temporary failure",
                  (unsigned)wait);
        set_state_text(w, m->owner, "waiting to retry", -1);
        uint64_t next = (uint64_t)wait * 1000;
        uint64_t nw = (uint64_t)m->wait_s * w->sp->retry_factor;
        m->wait_s = (uint32_t)(nw > w->sp->retry_max_s ? w->sp->retry_max_s : nw);
        schedule(w, w->now + next, EV_QUEUE_RUN, m);
        return;
    }
    queue_count(w, m->owner, -1);
    add_stepf(w, WORLD_STEP_QUEUE, m->owner, m->owner, NULL, w->now, w->now, "queue.done",
              "RFC 5321 4.1.1.4", "%s left the queue", m->qid);
    set_state_text(w, m->owner, w->nodes[m->owner].queue_len ? "delivering" : "idle", -1);
}

static void queue_run(world *w, qmsg *m)
{
    if (m->active)
        return;
    m->active = true;
    m->attempts++;
    if (m->attempts > 1)
        add_stepf(w, WORLD_STEP_QUEUE, m->owner, m->owner, NULL, w->now, w->now, "queue.retry",
                  "RFC 5321 4.5.4.1", "%s: delivery attempt %d", m->qid, m->attempts);
    set_state_text(w, m->owner, "delivering", -1);
    job *j = arena_alloc(&w->ar, sizeof *j);
    if (!j) {
        m->active = false;
        return;
    }
    memset(j, 0, sizeof *j);
    j->m = m;
    j->node = m->owner;
    job_next_domain(w, j);
}

/* job_next_domain - the next recipient domain of this attempt with pending recipients (a
 * smarthost takes them all in one session); when none is left, settle the attempt. */
static void job_next_domain(world *w, job *j)
{
    qmsg *m = j->m;
    const scenario_node *sn = snode(w, j->node);
    const char *dom = NULL;
    for (size_t i = 0; i < m->n_rcpts && !dom; i++)
        if (m->rstate[i] == 0 && !j->tried[i])
            dom = domain_of(m->rcpts[i]);
    if (!dom) {
        queue_settle(w, m, j->last_error);
        return;
    }
    j->n_rc = 0;
    j->mx_i = 0;
    for (size_t i = 0; i < m->n_rcpts; i++)
        if (m->rstate[i] == 0 && !j->tried[i] &&
            (sn->relay_to >= 0 || !strcasecmp(domain_of(m->rcpts[i]), dom))) {
            j->rc[j->n_rc++] = i;
            j->tried[i] = true;
        }
    if (sn->relay_to >= 0) {
        copy_str(j->domain, sizeof j->domain, dom);
        j->target = sn->relay_to;
        schedule(w, w->now, EV_JOB_CONNECT, j);
        return;
    }
    copy_str(j->domain, sizeof j->domain, dom);
    /* RFC 5321 5.1: ask DNS for the domain's MX records */
    uint32_t lat = latency(w, j->node, w->dns_node);
    char line[DNS_LINE_MAX];
    dns_format_question(line, sizeof line, dom, DNS_TYPE_MX);
    add_stepf(w, WORLD_STEP_DNS_QUERY, j->node, w->dns_node, NULL, w->now, w->now + lat,
              "dns.mx_query", "RFC 5321 5.1", "%s", line);
    set_state_text(w, j->node, "looking up MX", -1);
    schedule(w, w->now + lat, EV_JOB_MX_ANSWER, j);
}

static void job_fail_rcpts(world *w, job *j, int state, const char *why)
{
    for (size_t i = 0; i < j->n_rc; i++) {
        size_t r = j->rc[i];
        if (j->m->rstate[r] == 0) {
            j->m->rstate[r] = state;
            j->m->rwhy[r] = arena_str(&w->ar, why);
            j->m->rmta[r] = NULL; /* the MTA's own decision */
        }
    }
}

static void on_job_mx_answer(world *w, job *j)
{
    bool null_mx = false;
    dns_rcode rc = dns_zone_mail_hosts(w->zone, j->domain, &j->mx, &null_mx);
    uint32_t lat = latency(w, j->node, w->dns_node);
    /* the step shows what DNS really answered; the MTA's conclusions (implicit MX) come after */
    dns_answer raw;
    dns_zone_query(w->zone, j->domain, DNS_TYPE_MX, &raw);
    char line[DNS_LINE_MAX];
    dns_format_answer(line, sizeof line, j->domain, DNS_TYPE_MX, &raw);
    add_stepf(w, WORLD_STEP_DNS_ANSWER, w->dns_node, j->node, NULL, w->now, w->now + lat,
              "dns.mx_answer", "RFC 5321 5.1", "%s", line);
    j->mx_i = 0;
    j->implicit_pending = rc == DNS_NOERROR && j->mx.n > 0 && j->mx.rr[0].implicit;
    if (rc == DNS_SERVFAIL) {
        /* a DNS failure is temporary: the recipients stay queued */
        for (size_t i = 0; i < j->n_rc; i++) {
            j->m->rwhy[j->rc[i]] = "451 4.4.3 DNS lookup of the MX failed (SERVFAIL)";
            j->m->rmta[j->rc[i]] = NULL;
        }
        j->last_error = "DNS lookup of the MX failed (SERVFAIL)";
        j->mx.n = 0;
    } else if (j->mx.n == 0) {
        job_fail_rcpts(w, j, 2, null_mx ? "556 5.1.10 the domain accepts no mail (null MX, RFC 7505)"
                                        : "550 5.1.2 no mail server for this domain (no MX or A "
                                          "record)");
    }
    schedule(w, w->now + lat, EV_JOB_A_QUERY, j);
}

static void on_job_a_query(world *w, job *j)
{
    if (j->mx_i >= j->mx.n) {
        /* no (more) hosts to try: the domain is done for this attempt */
        job_next_domain(w, j);
        return;
    }
    if (j->implicit_pending) {
        /* the empty MX answer has arrived: RFC 5321 5.1 implicit MX */
        j->implicit_pending = false;
        add_stepf(w, WORLD_STEP_CHECK, j->node, j->node, NULL, w->now, w->now, "mx.implicit",
                  "RFC 5321 5.1",
                  "no MX records for %s: the MTA falls back to the domain's own address record "
                  "(implicit MX, as if \"MX 0 %s\")",
                  j->domain, j->domain);
    }
    uint32_t lat = latency(w, j->node, w->dns_node);
    char line[DNS_LINE_MAX];
    dns_format_question(line, sizeof line, j->mx.rr[j->mx_i].value, DNS_TYPE_A);
    add_stepf(w, WORLD_STEP_DNS_QUERY, j->node, w->dns_node, NULL, w->now, w->now + lat,
              "dns.a_query", "RFC 5321 5.1", "%s", line);
    schedule(w, w->now + lat, EV_JOB_A_ANSWER, j);
}

static void on_job_a_answer(world *w, job *j)
{
    dns_answer a;
    const char *host = j->mx.rr[j->mx_i].value;
    dns_rcode rc = dns_zone_query(w->zone, host, DNS_TYPE_A, &a);
    uint32_t lat = latency(w, j->node, w->dns_node);
    char line[DNS_LINE_MAX];
    dns_format_answer(line, sizeof line, host, DNS_TYPE_A, &a);
    add_stepf(w, WORLD_STEP_DNS_ANSWER, w->dns_node, j->node, NULL, w->now, w->now + lat,
              "dns.a_answer", "RFC 5321 5.1", "%s", line);
    j->target = -1;
    if (rc == DNS_NOERROR && a.n > 0) {
        for (size_t i = 0; i < w->n_nodes && j->target < 0; i++) {
            const scenario_node *sn = w->nodes[i].sn;
            if (sn && (sn->kind == SCENARIO_NODE_MX || sn->kind == SCENARIO_NODE_MTA ||
                       sn->kind == SCENARIO_NODE_MSA) &&
                !strcmp(sn->addr, a.rr[0].value))
                j->target = (int)i;
        }
    }
    if (j->target < 0) {
        j->last_error = "no address for the mail host";
        for (size_t i = 0; i < j->n_rc; i++) {
            j->m->rwhy[j->rc[i]] = "451 4.4.4 no route to the mail host";
            j->m->rmta[j->rc[i]] = NULL;
        }
        j->mx_i++;
        schedule(w, w->now + lat, EV_JOB_A_QUERY, j);
        return;
    }
    schedule(w, w->now + lat, EV_JOB_CONNECT, j);
}

static void on_job_connect(world *w, job *j)
{
    qmsg *m = j->m;
    int target = j->target;
    const scenario_node *tn = snode(w, target);
    conn *c = conn_new(w, CONN_RELAY, j->node, target, tn->port);
    if (!c) {
        w->ar.failed = true;
        return;
    }
    c->job = j;
    smtp_client_config *cc = &c->ccfg;
    smtp_client_config_default(cc);
    cc->helo_name = snode(w, j->node)->host;
    cc->mail_from = m->from;
    const char **rc = arena_alloc(&w->ar, (j->n_rc ? j->n_rc : 1) * sizeof *rc);
    if (!rc)
        return;
    for (size_t i = 0; i < j->n_rc; i++)
        rc[i] = m->rcpts[j->rc[i]];
    cc->rcpts = rc;
    cc->n_rcpts = j->n_rc;
    cc->data = m->data;
    cc->data_len = m->len;
    cc->tls = SMTP_TLS_OPPORTUNISTIC; /* RFC 3207: MTA to MTA encrypts when offered */
    cc->tls_available = true;
    cc->use_pipelining = true;
    cc->smtputf8 = m->smtputf8;
    connect_start(w, c);
}

/* job_session_done - an SMTP session of a delivery attempt ended (or never started). */
static void job_session_done(world *w, job *j, conn *c, const char *why_refused)
{
    qmsg *m = j->m;
    if (why_refused || !c->cl) {
        char why[200];
        snprintf(why, sizeof why, "451 4.4.1 %s: %s", w->nodes[c->snode].pub.host,
                 why_refused ? why_refused : "no connection");
        for (size_t i = 0; i < j->n_rc; i++) {
            m->rwhy[j->rc[i]] = arena_str(&w->ar, why);
            m->rmta[j->rc[i]] = NULL;
        }
        j->last_error = arena_str(&w->ar, why);
        if (snode(w, j->node)->relay_to < 0) {
            j->mx_i++; /* RFC 5321 5.1: try the next MX host */
            schedule(w, w->now, EV_JOB_A_QUERY, j);
        } else {
            job_next_domain(w, j);
        }
        return;
    }
    const smtp_client_result *r = smtp_client_result_get(c->cl);
    char overall[256];
    if (r->code)
        snprintf(overall, sizeof overall, "%d%s%s %s", r->code, r->esc[0] ? " " : "", r->esc,
                 r->text);
    else if (c->tls_aborted)
        snprintf(overall, sizeof overall, "451 4.4.2 %s during the TLS handshake", r->text);
    else
        snprintf(overall, sizeof overall, "451 4.4.2 %s%s%s%s", r->text, r->stage ? " (at " : "",
                 r->stage ? r->stage : "", r->stage ? ")" : "");
    /* a reply of the server (not the client's own decision, not a lost connection): the DSN
     * names the server as Remote-MTA (RFC 3464 2.3.5) */
    const char *remote = r->local ? NULL : w->nodes[c->snode].pub.host;
    for (size_t i = 0; i < j->n_rc && i < r->n_rcpts; i++) {
        size_t k = j->rc[i];
        const smtp_rcpt_result *rr = &r->rcpt[i];
        int code = rr->code;
        char why[256];
        if (code >= 200 && code < 300 && r->status == SMTP_RESULT_OK) {
            m->rstate[k] = 1;
            continue;
        }
        if (code >= 400 && code < 600)
            snprintf(why, sizeof why, "%d%s%s %s", code, rr->esc[0] ? " " : "", rr->esc, rr->text);
        else
            copy_str(why, sizeof why, overall);
        m->rwhy[k] = arena_str(&w->ar, why);
        m->rmta[k] = (code >= 400 && code < 600) || r->code ? remote : NULL;
        if (code >= 500)
            m->rstate[k] = 2;
        else if (code >= 200 && code < 300 && r->status == SMTP_RESULT_PERMFAIL)
            m->rstate[k] = 2; /* accepted, then the data was refused */
        else if (code == 0 && r->status == SMTP_RESULT_PERMFAIL)
            m->rstate[k] = 2;
        else
            m->rstate[k] = 0;
        j->last_error = m->rwhy[k];
    }
    job_next_domain(w, j);
}

/* ---- event dispatch ----------------------------------------------------------------------- */

static void on_bytes(world *w, conn *c, int to_client, const char *b, size_t len)
{
    if (c->finished)
        return;
    if (!to_client) {
        feed_server(w, c, b, len);
        return;
    }
    if (!c->cl)
        return;
    if (c->client_tls_broken) {
        /* RFC 8314 3.3: an implicit-TLS client reads the plain 220 as a broken TLS record */
        add_stepf(w, WORLD_STEP_CHECK, c->cnode, c->cnode, c, w->now, w->now, "tls.not_tls",
                  "RFC 8314 3.3",
                  "the client expected a TLS ServerHello but got plain text: handshake failed");
        conn_close(w, c, 0, w->now, "connection closed by the client (TLS handshake failed)");
        if (!c->client_reported) {
            c->client_reported = true;
            client_finished(w, c, "TLS handshake failed: the server speaks plain SMTP here");
        }
        return;
    }
    smtp_client_feed(c->cl, b, len, w->now);
    pump_client(w, c);
}

static void on_close_arrive(world *w, conn *c, int to_client)
{
    if (to_client) {
        if (c->cl && !smtp_client_done(c->cl)) {
            smtp_client_connection_lost(c->cl, w->now);
            pump_client(w, c);
        }
    }
    if (c->kind == CONN_SUBMIT || c->kind == CONN_RELAY) {
        if (c->srv)
            server_node_idle(w, c);
        if (c->cl && !c->client_reported) {
            c->client_reported = true;
            client_finished(w, c, NULL);
        }
    }
    c->finished = true;
    c->tls = false;
    set_state_text(w, c->cnode, w->nodes[c->cnode].st.state, 0);
    set_state_text(w, c->snode, w->nodes[c->snode].st.state, 0);
    conn_free_engines(c);
}

static void on_timer(world *w, conn *c)
{
    if (c->finished || c->timer_at != w->now)
        return;
    c->timer_at = 0;
    if (c->srv) {
        smtp_server_tick(c->srv, w->now);
        pump_server(w, c);
    }
    if (c->cl && !c->finished) {
        smtp_client_tick(c->cl, w->now);
        pump_client(w, c);
        if (smtp_client_done(c->cl) && !c->closed)
            conn_close(w, c, 0, w->now, "connection closed by the client (timeout)");
    }
    arm_timer(w, c);
}

/* in_tls_handshake - the link carries TLS handshake records now, not SMTP lines: after the 220
 * to STARTTLS (RFC 3207 4) or on an implicit-TLS port (RFC 8314 3.3) until the handshake ends. */
static bool in_tls_handshake(const conn *c)
{
    if (c->tls)
        return false;
    return (c->srv && smtp_server_state_get(c->srv) == SMTP_SRV_TLS) || c->implicit_port ||
           c->tls_layer_wait;
}

static void on_shutdown(world *w, int node)
{
    for (size_t i = 0; i < w->n_conns; i++) {
        conn *c = w->conns[i];
        if (c->snode != node || !c->srv || c->closed || c->finished)
            continue;
        if (in_tls_handshake(c)) {
            /* No SMTP reply can be sent in the middle of a TLS handshake (the client reads TLS
             * records, and plain text there is what RFC 3207 6 tells it to distrust): the
             * server just drops the connection, and the client sees it lost. */
            add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now,
                      "conn.shutdown_tls", "RFC 5321 3.8",
                      "shutting down during the TLS handshake: no 421 is possible here, the "
                      "server closes the connection");
            c->tls_aborted = true;
            conn_close(w, c, 1, w->now, "connection closed by the server (shutdown)");
            smtp_server_free(c->srv);
            c->srv = NULL;
            continue;
        }
        smtp_server_shutdown(c->srv, w->now); /* 421 4.3.2 (RFC 5321 3.8) */
        pump_server(w, c);
    }
    set_state_text(w, node, "down", 0);
}

static void dispatch(world *w, const sim_ev *e)
{
    switch (e->type) {
    case EV_MUA_START: {
        conn *c = e->p;
        connect_start(w, c);
        break;
    }
    case EV_CONNECT_ARRIVE:
        on_connect_arrive(w, e->p);
        break;
    case EV_REFUSED_ARRIVE: {
        conn *c = e->p;
        c->finished = true;
        c->client_reported = true;
        client_finished(w, c, "connection refused");
        break;
    }
    case EV_BYTES:
        on_bytes(w, e->p, e->side, e->bytes, e->len);
        break;
    case EV_TLS_DONE: {
        conn *c = e->p;
        if (c->finished || c->closed)
            break;
        c->tls = true; /* from here on the link is protected */
        if (c->srv) {
            smtp_server_tls_started(c->srv, w->now);
            pump_server(w, c);
        }
        if (c->cl) {
            smtp_client_tls_started(c->cl, w->now);
            pump_client(w, c);
        }
        set_state_text(w, c->cnode, w->nodes[c->cnode].st.state, 1);
        set_state_text(w, c->snode, w->nodes[c->snode].st.state, 1);
        break;
    }
    case EV_CLOSE_ARRIVE:
        on_close_arrive(w, e->p, e->side);
        break;
    case EV_TIMER:
        on_timer(w, e->p);
        break;
    case EV_TLS_LAYER_TIMEOUT: {
        conn *c = e->p;
        if (c->finished || c->closed)
            break;
        add_stepf(w, WORLD_STEP_CHECK, c->snode, c->snode, c, w->now, w->now, "tls.layer_timeout",
                  "RFC 8314 3.3", "the server's TLS layer gives up: no ClientHello in %u ms",
                  (unsigned)w->sp->tls_handshake_timeout_ms);
        conn_close(w, c, 1, w->now, "connection closed by the server (no TLS handshake)");
        server_node_idle(w, c);
        break;
    }
    case EV_HANDOFF: {
        qmsg *m = e->p;
        queue_count(w, m->owner, 1);
        queue_run(w, m);
        break;
    }
    case EV_QUEUE_RUN:
        queue_run(w, e->p);
        break;
    case EV_JOB_MX_ANSWER:
        on_job_mx_answer(w, e->p);
        break;
    case EV_JOB_A_QUERY:
        on_job_a_query(w, e->p);
        break;
    case EV_JOB_A_ANSWER:
        on_job_a_answer(w, e->p);
        break;
    case EV_JOB_CONNECT:
        on_job_connect(w, e->p);
        break;
    case EV_SHUTDOWN:
        on_shutdown(w, e->n);
        break;
    }
}

/* ---- building a world --------------------------------------------------------------------- */

static const char *kind_role[] = {"MUA", "MSA", "MTA", "DNS", "MX", "Mailbox"};

/* build_message - the MUA's message: header fields, empty line, body, CRLF line ends. */
static char *build_message(world *w, const scenario_spec *sp, const scenario_node *mua,
                           size_t *len)
{
    mail_buf mb;
    mail_buf_init(&mb);
    char date[MAIL_DATE_MAX];
    virtual_date(w, mua->start_ms, date);
    mail_buf_printf(&mb, "From: <%s>\r\nTo: ", sp->message.from);
    for (size_t i = 0; i < sp->message.n_to; i++)
        mail_buf_printf(&mb, "%s<%s>", i ? ",\r\n " : "", sp->message.to[i]);
    mail_buf_printf(&mb, "\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%016llx@%s>\r\n",
                    sp->message.subject, date, (unsigned long long)rng_next(w), mua->host);
    for (size_t i = 0; i < sp->message.n_headers; i++)
        mail_buf_printf(&mb, "%s\r\n", sp->message.headers[i]);
    if (non_ascii(sp->message.body) || non_ascii(sp->message.subject))
        mail_buf_puts(&mb, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: 8bit\r\n");
    mail_buf_puts(&mb, "\r\n");
    for (const char *p = sp->message.body; *p; p++) {
        if (*p == '\n' && (p == sp->message.body || p[-1] != '\r'))
            mail_buf_append(&mb, "\r\n", 2);
        else
            mail_buf_append(&mb, p, 1);
    }
    if (mb.len && mb.data[mb.len - 1] != '\n')
        mail_buf_puts(&mb, "\r\n");
    /* message.size: filler lines up to the size a SIZE lesson needs */
    static const char filler[] =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n";
    while (!mb.failed && mb.len + sizeof filler - 1 <= sp->message.size)
        mail_buf_puts(&mb, filler);
    while (!mb.failed && mb.len + 2 < sp->message.size)
        mail_buf_puts(&mb, mb.len + 3 < sp->message.size ? "." : "\r\n");
    if (!mb.failed && mb.len < sp->message.size)
        mail_buf_puts(&mb, "\r\n");
    char *out = mb.failed ? NULL : arena_mem(&w->ar, mb.data, mb.len);
    *len = mb.len;
    mail_buf_free(&mb);
    return out;
}

static void world_init_nodes(world *w)
{
    for (size_t i = 0; i < w->n_nodes; i++) {
        world_node_state st = {0};
        const scenario_node *sn = w->nodes[i].sn;
        switch (sn->kind) {
        case SCENARIO_NODE_MUA:
            strcpy(st.state, "idle");
            break;
        case SCENARIO_NODE_DNS:
            strcpy(st.state, "ready");
            break;
        case SCENARIO_NODE_MAILBOX:
            strcpy(st.state, "empty");
            break;
        default:
            snprintf(w->nodes[i].listen_state, sizeof w->nodes[i].listen_state,
                     "listening on %u", (unsigned)sn->port);
            copy_str(st.state, sizeof st.state, w->nodes[i].listen_state);
        }
        w->nodes[i].st = st;
        w->init[i] = st;
    }
}

static void fill_zone(world *w)
{
    const scenario_spec *sp = w->sp;
    for (size_t i = 0; i < sp->n_dns; i++) {
        const scenario_dns_record *d = &sp->dns[i];
        if (!strcmp(d->type, "MX"))
            dns_zone_add_mx(w->zone, d->name, d->pref, d->value);
        else if (!strcmp(d->type, "A"))
            dns_zone_add_a(w->zone, d->name, d->value);
        else if (!strcmp(d->type, "TXT"))
            dns_zone_add_txt(w->zone, d->name, d->value);
        else
            dns_zone_add_servfail(w->zone, d->name);
    }
    for (size_t i = 0; i < sp->n_nodes; i++) {
        const scenario_node *n = &sp->nodes[i];
        if (n->kind == SCENARIO_NODE_MAILBOX || n->kind == SCENARIO_NODE_DNS)
            continue;
        bool have = false;
        for (size_t k = 0; k < sp->n_dns; k++)
            if (!strcmp(sp->dns[k].type, "A") && !strcasecmp(sp->dns[k].name, n->host))
                have = true;
        if (!have)
            dns_zone_add_a(w->zone, n->host, n->addr);
        if (n->dkim_domain) {
            /* publish the (simulated) key at SELECTOR._domainkey.DOMAIN (RFC 6376 3.6.2) */
            char name[DNS_NAME_MAX + 1], rec[512];
            snprintf(name, sizeof name, "%s._domainkey.%s", n->dkim_selector, n->dkim_domain);
            bool have_key = false;
            for (size_t k = 0; k < sp->n_dns; k++)
                if (!strcasecmp(sp->dns[k].name, name))
                    have_key = true;
            unsigned char secret[SHA256_DIGEST_LEN];
            dkim_secret(w, n->dkim_domain, n->dkim_selector, secret);
            if (!have_key && dkim_key_record(secret, sizeof secret, rec, sizeof rec) > 0)
                dns_zone_add_txt(w->zone, name, rec);
        }
    }
}

static world *world_alloc(void)
{
    world *w = calloc(1, sizeof *w);
    if (w)
        w->dns_node = -1;
    return w;
}

static world *world_run(const scenario_spec *sp, scenario_spec *own, char *err, size_t errlen)
{
    world *w = world_alloc();
    if (!w) {
        free(own);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->sp = sp;
    w->own_spec = own;
    w->rng = 0x5EED0000ULL ^ sp->seed;
    w->n_nodes = sp->n_nodes;
    w->nodes = calloc(sp->n_nodes, sizeof *w->nodes);
    w->init = calloc(sp->n_nodes, sizeof *w->init);
    w->zone = dns_zone_new();
    if (!w->nodes || !w->init || !w->zone) {
        world_free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int mua = -1;
    for (size_t i = 0; i < sp->n_nodes; i++) {
        const scenario_node *sn = &sp->nodes[i];
        wnode *n = &w->nodes[i];
        n->sn = sn;
        n->pub.id = (int)i;
        n->pub.kind = (world_node_kind)sn->kind;
        copy_str(n->pub.role, sizeof n->pub.role, kind_role[sn->kind]);
        copy_str(n->pub.name, sizeof n->pub.name, sn->name);
        copy_str(n->pub.host, sizeof n->pub.host, sn->host);
        copy_str(n->pub.addr, sizeof n->pub.addr, sn->addr);
        n->pub.port = (sn->kind == SCENARIO_NODE_MSA || sn->kind == SCENARIO_NODE_MTA ||
                       sn->kind == SCENARIO_NODE_MX)
                          ? sn->port
                      : sn->kind == SCENARIO_NODE_DNS ? 53
                                                      : 0;
        for (size_t k = 0; k < sn->n_users; k++)
            n->users[k] = (smtp_user){.name = sn->users[k].name, .password = sn->users[k].password};
        if (sn->kind == SCENARIO_NODE_DNS)
            w->dns_node = (int)i;
        if (sn->kind == SCENARIO_NODE_MUA)
            mua = (int)i;
    }
    world_init_nodes(w);
    fill_zone(w);

    /* the MUA's session */
    const scenario_node *mn = &sp->nodes[mua];
    conn *c = conn_new(w, CONN_SUBMIT, mua, mn->server, mn->port);
    size_t mlen = 0;
    char *msg = build_message(w, sp, mn, &mlen);
    if (!c || !msg) {
        world_free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    smtp_client_config *cc = &c->ccfg;
    smtp_client_config_default(cc);
    cc->helo_name = mn->helo;
    cc->mail_from = sp->message.from;
    cc->rcpts = sp->message.to;
    cc->n_rcpts = sp->message.n_to;
    cc->data = msg;
    cc->data_len = mlen;
    cc->auth_user = mn->user;
    cc->auth_password = mn->password;
    cc->auth_mech = mn->auth_mech;
    cc->tls = mn->tls == SCENARIO_TLS_NONE            ? SMTP_TLS_NONE
              : mn->tls == SCENARIO_TLS_OPPORTUNISTIC ? SMTP_TLS_OPPORTUNISTIC
              : mn->tls == SCENARIO_TLS_REQUIRED      ? SMTP_TLS_REQUIRED
                                                      : SMTP_TLS_IMPLICIT;
    cc->tls_available = mn->tls != SCENARIO_TLS_NONE;
    cc->use_pipelining = mn->pipelining;
    cc->smtputf8 = mn->smtputf8;
    cc->show_secrets = mn->show_secrets;
    cc->ignore_advertised_size = mn->ignore_size;
    schedule(w, mn->start_ms, EV_MUA_START, c);
    for (size_t i = 0; i < sp->n_faults; i++)
        if (sp->faults[i].kind == SCENARIO_FAULT_SHUTDOWN) {
            schedule_full(w, sp->faults[i].at_ms, EV_SHUTDOWN, NULL, 0, NULL, 0,
                          sp->faults[i].node);
        }

    sim_ev e;
    while (!w->stopped && !w->ar.failed && pop(w, &e)) {
        if (e.t > WORLD_MAX_TIME_MS || ++w->n_events > WORLD_MAX_EVENTS) {
            add_stepf(w, WORLD_STEP_CHECK, mua, mua, NULL, w->now, w->now, "world.limit", "",
                      "simulation stopped: %s limit reached",
                      e.t > WORLD_MAX_TIME_MS ? "virtual time" : "event");
            break;
        }
        w->now = e.t;
        dispatch(w, &e);
    }
    if (w->stopped && w->n_steps >= WORLD_MAX_STEPS) {
        /* the last slot is kept for nothing: the viewer just sees the run end there */
    }
    /* free what is still open */
    for (size_t i = 0; i < w->n_conns; i++)
        conn_free_engines(w->conns[i]);
    if (w->ar.failed) {
        world_free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return w;
}

world *world_new(const scenario *sc, char *err, size_t errlen)
{
    if (!sc) {
        snprintf(err, errlen, "no scenario");
        return NULL;
    }
    return world_run(scenario_spec_get(sc), NULL, err, errlen);
}

void world_free(world *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_conns; i++)
        conn_free_engines(w->conns[i]);
    free(w->conns);
    free(w->queue);
    free(w->heap);
    free(w->steps);
    free(w->chg);
    free(w->nodes);
    free(w->init);
    dns_zone_free(w->zone);
    free(w->own_spec);
    arena_free(&w->ar);
    free(w);
}

size_t world_node_count(const world *w) { return w ? w->n_nodes : 0; }

const world_node *world_node_at(const world *w, size_t i)
{
    return w && i < w->n_nodes ? &w->nodes[i].pub : NULL;
}

size_t world_step_count(const world *w) { return w ? w->n_steps : 0; }

const world_step *world_step_at(const world *w, size_t i)
{
    return w && i < w->n_steps ? &w->steps[i] : NULL;
}

void world_state_at(const world *w, size_t step, world_node_state *out)
{
    memcpy(out, w->init, w->n_nodes * sizeof *out);
    if (step == SIZE_MAX)
        return;
    for (size_t i = 0; i < w->n_chg && w->chg[i].step <= step; i++)
        out[w->chg[i].node] = w->chg[i].st;
}

const char *world_mailbox_message(const world *w, int node, size_t i, size_t *len)
{
    if (!w || node < 0 || (size_t)node >= w->n_nodes || i >= w->nodes[node].n_mail)
        return NULL;
    if (len)
        *len = w->nodes[node].mail_len[i];
    return w->nodes[node].mail[i];
}

const char *world_step_kind_name(world_step_kind kind)
{
    switch (kind) {
    case WORLD_STEP_CONNECT: return "connect";
    case WORLD_STEP_REFUSED: return "refused";
    case WORLD_STEP_COMMAND: return "command";
    case WORLD_STEP_REPLY: return "reply";
    case WORLD_STEP_DATA: return "data";
    case WORLD_STEP_TLS: return "tls";
    case WORLD_STEP_DNS_QUERY: return "dns-query";
    case WORLD_STEP_DNS_ANSWER: return "dns-answer";
    case WORLD_STEP_QUEUE: return "queue";
    case WORLD_STEP_DELIVER: return "deliver";
    case WORLD_STEP_BOUNCE: return "bounce";
    case WORLD_STEP_CHECK: return "check";
    case WORLD_STEP_CLOSE: return "close";
    }
    return "?";
}

/* ---- live timelines ----------------------------------------------------------------------- */

world *world_new_live(void)
{
    world *w = world_alloc();
    if (w)
        w->live = true;
    return w;
}

int world_live_add_node(world *w, const world_node *node)
{
    if (!w || !w->live || !node || w->n_nodes >= 1024)
        return -1;
    wnode *nn = realloc(w->nodes, (w->n_nodes + 1) * sizeof *nn);
    if (!nn)
        return -1;
    w->nodes = nn;
    world_node_state *ni = realloc(w->init, (w->n_nodes + 1) * sizeof *ni);
    if (!ni)
        return -1;
    w->init = ni;
    wnode *n = &w->nodes[w->n_nodes];
    memset(n, 0, sizeof *n);
    n->pub = *node;
    n->pub.id = (int)w->n_nodes;
    n->pub.role[sizeof n->pub.role - 1] = '\0';
    n->pub.name[sizeof n->pub.name - 1] = '\0';
    n->pub.host[sizeof n->pub.host - 1] = '\0';
    n->pub.addr[sizeof n->pub.addr - 1] = '\0';
    strcpy(n->st.state, "idle");
    w->init[w->n_nodes] = n->st;
    return (int)w->n_nodes++;
}

int world_live_append_step(world *w, const world_step *step, const char *state_of_from,
                           const char *state_of_to)
{
    if (!w || !w->live || !step)
        return -1;
    if (step->from < 0 || (size_t)step->from >= w->n_nodes || step->to < 0 ||
        (size_t)step->to >= w->n_nodes)
        return -1;
    size_t before = w->n_steps;
    world_step *s = add_step(w, step->kind, step->from, step->to, NULL, step->t_send_ms,
                             step->t_arrive_ms, step->text);
    if (!s)
        return -1;
    s->conn = step->conn;
    s->port = step->port;
    s->tls = step->tls;
    if (step->bytes) {
        s->bytes = arena_mem(&w->ar, step->bytes, step->len);
        s->len = step->len;
    }
    memcpy(s->verb, step->verb, sizeof s->verb);
    s->verb[sizeof s->verb - 1] = '\0';
    s->code = step->code;
    memcpy(s->esc, step->esc, sizeof s->esc);
    s->esc[sizeof s->esc - 1] = '\0';
    s->rfc = arena_str(&w->ar, step->rfc ? step->rfc : "");
    s->key = arena_str(&w->ar, step->key ? step->key : "");
    s->detail = step->detail ? arena_str(&w->ar, step->detail) : NULL;
    if (w->ar.failed || !s->text || !s->rfc || !s->key) {
        w->n_steps = before;
        return -1;
    }
    if (state_of_from)
        set_state_text(w, step->from, state_of_from, step->tls);
    if (state_of_to)
        set_state_text(w, step->to, state_of_to, step->tls);
    return 0;
}

/* ---- what if? ----------------------------------------------------------------------------- */

int world_reply_fault_for_step(const world *w, size_t at_step, const char **node_id,
                               char verb[16], int *nth)
{
    if (!w || w->live || at_step >= w->n_steps)
        return -1;
    const world_step *s = &w->steps[at_step];
    if (s->kind != WORLD_STEP_REPLY || s->from < 0)
        return -1;
    int count = 0;
    for (size_t i = 0; i <= at_step; i++) {
        const world_step *t = &w->steps[i];
        if (t->kind == WORLD_STEP_REPLY && t->from == s->from && !strcmp(t->verb, s->verb))
            count++;
    }
    if (node_id)
        *node_id = w->nodes[s->from].sn->id;
    copy_str(verb, 16, s->verb);
    *nth = count;
    return 0;
}

world *world_new_fork(const scenario *sc, size_t at_step, const char *reply, char *err,
                      size_t errlen)
{
    if (!sc) {
        snprintf(err, errlen, "no scenario");
        return NULL;
    }
    const scenario_spec *sp = scenario_spec_get(sc);
    scenario_fault f = {.kind = SCENARIO_FAULT_REPLY};
    if (scenario_parse_reply(reply, &f.code, f.esc, f.text) < 0) {
        snprintf(err, errlen, "'%s' is not a valid SMTP reply (e.g. \"550 5.1.1 No such user\")",
                 reply ? reply : "");
        return NULL;
    }
    world *orig = world_run(sp, NULL, err, errlen);
    if (!orig)
        return NULL;
    const char *node_id = NULL;
    int nth = 0;
    if (world_reply_fault_for_step(orig, at_step, &node_id, f.verb, &nth) < 0) {
        snprintf(err, errlen, "step %zu is not a server reply (the run has %zu steps)", at_step,
                 orig->n_steps);
        world_free(orig);
        return NULL;
    }
    f.node = orig->steps[at_step].from;
    f.nth = nth;
    world_free(orig);
    scenario_spec *copy = malloc(sizeof *copy);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *copy = *sp;
    size_t k;
    for (k = 0; k < copy->n_faults; k++)
        if (copy->faults[k].kind == SCENARIO_FAULT_REPLY && copy->faults[k].node == f.node &&
            copy->faults[k].nth == f.nth && !strcmp(copy->faults[k].verb, f.verb))
            break;
    if (k == copy->n_faults) {
        if (copy->n_faults >= SCENARIO_MAX_FAULTS) {
            free(copy);
            snprintf(err, errlen, "too many faults");
            return NULL;
        }
        copy->n_faults++;
    }
    copy->faults[k] = f;
    world *w = world_run(copy, copy, err, errlen);
    if (w) {
        w->is_fork = true;
        w->fork_step = at_step;
    }
    return w;
}
