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
 * are recorded as changes attached to the step that carries them out: a client's "EHLO sent"
 * to its EHLO, a server's "waiting for MAIL" to the 250 it sends (not to the EHLO still in
 * flight). world_state_at folds them (O(steps), no engine is re-run).
 *
 * Memory: every string and byte string of a world (step texts, wire bytes, messages) lives in
 * one arena freed by world_free; the step and change arrays grow by doubling. Engines are
 * allocated per connection and freed when it closes.
 *
 * This file holds the timeline and the state: the arena, the seeded randomness, the event
 * queue, steps and node states, the small helpers every part uses, the accessors, and live
 * timelines. The rest of the world is in world_conn.c, world_policy.c, world_queue.c and
 * world_run.c (world_internal.h says which holds what).
 */
#include "core/world/world_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- arena -------------------------------------------------------------------------------- */

void *w_arena_alloc(arena *a, size_t n)
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

char *w_arena_mem(arena *a, const void *src, size_t n)
{
    char *p = w_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, src, n);
    p[n] = '\0';
    return p;
}

char *w_arena_str(arena *a, const char *s) { return s ? w_arena_mem(a, s, strlen(s)) : NULL; }

static void arena_free(arena *a)
{
    for (arena_chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    a->head = NULL;
}

/* ---- splitmix64: the only randomness, seeded from the scenario ---------------------------- */

uint64_t w_rng_next(world *w)
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

sim_ev *w_schedule(world *w, uint64_t t, ev_type type, void *p)
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
void w_schedule_full(world *w, uint64_t t, ev_type type, void *p, int side,
                     const char *bytes, size_t len, int n)
{
    sim_ev *e = w_schedule(w, t, type, p);
    if (e) {
        e->side = side;
        e->bytes = bytes;
        e->len = len;
        e->n = n;
    }
}

bool w_pop(world *w, sim_ev *out)
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

static world_step *add_step(world *w, world_step_kind kind, int from, int to, const conn *c,
                            uint64_t t_send, uint64_t t_arrive, const char *text)
{
    return w_add_step_raw(w, kind, from, to, c, t_send, t_arrive,
                          w_arena_str(&w->ar, text ? text : ""));
}

/* add_step_raw - append a step whose text already lives in the arena (the hot path). */
world_step *w_add_step_raw(world *w, world_step_kind kind, int from, int to, const conn *c,
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
    /* node changes that waited for a step belong to this one: it is what they lead to */
    for (size_t i = w->n_chg; i > 0 && w->chg[i - 1].step == SIZE_MAX; i--)
        w->chg[i - 1].step = s->index;
    return s;
}

world_step *w_add_stepf(world *w, world_step_kind kind, int from, int to, const conn *c,
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

/* note_state - node `node` now looks like st. The change belongs to the latest step when
 * that step started now (the node's own command, the reply it sends, the query it asks: a
 * change and the step it causes go together); a change made later than the latest step's
 * start (a node reacting to what just arrived) waits for the next step, so a viewer never
 * shows a node reacting to bytes still in flight. */
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
    bool waiting = w->n_chg && w->chg[w->n_chg - 1].step == SIZE_MAX;
    size_t at = waiting || w->hold_states || w->steps[w->n_steps - 1].t_send_ms < w->now
                    ? SIZE_MAX
                    : w->n_steps - 1;
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
    w->chg[w->n_chg++] = (state_change){.step = at, .node = node, .st = *st};
}

void w_set_state_text(world *w, int node, const char *text, int tls)
{
    world_node_state st = w->nodes[node].st;
    if (text != st.state)
        str_copy(st.state, sizeof st.state, text, STR_ALL);
    if (tls >= 0)
        st.tls = tls;
    note_state(w, node, &st);
}

void w_settle_states(world *w, size_t last_step)
{
    if (last_step >= w->n_steps)
        return;
    for (size_t i = w->n_chg; i > 0 && w->chg[i - 1].step == SIZE_MAX; i--)
        w->chg[i - 1].step = last_step;
}

void w_set_counts(world *w, int node)
{
    world_node_state st = w->nodes[node].st;
    st.queue_len = w->nodes[node].queue_len;
    st.mailbox_count = (int)w->nodes[node].n_mail;
    note_state(w, node, &st);
}

void w_defer_step(world *w, conn *c, world_step_kind kind, int from, int to, uint64_t t0,
                  uint64_t t1, const char *key, const char *rfc, const char *text,
                  const char *detail, int mailbox)
{
    pending_step *p = w_arena_alloc(&w->ar, sizeof *p);
    if (!p)
        return;
    *p = (pending_step){.kind = kind, .from = from, .to = to, .t_send = t0, .t_arrive = t1,
                        .key = key, .rfc = rfc, .text = w_arena_str(&w->ar, text), .detail = detail,
                        .mailbox = mailbox};
    if (c->pend_tail)
        c->pend_tail->next = p;
    else
        c->pend = p;
    c->pend_tail = p;
}

void w_flush_deferred(world *w, conn *c, uint64_t t)
{
    for (pending_step *p = c->pend; p; p = p->next) {
        /* they happen when the reply goes out (the server may have spent time on DNS) */
        uint64_t shift = t > p->t_send ? t - p->t_send : 0;
        world_step *s = w_add_step_raw(w, p->kind, p->from, p->to, NULL, p->t_send + shift,
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

const scenario_node *w_snode(const world *w, int i) { return w->nodes[i].sn; }

uint32_t w_latency(const world *w, int a, int b)
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
    if (!strcasecmp(w_snode(w, a)->site, w_snode(w, b)->site))
        return sp->lan_ms;
    return sp->internet_ms;
}

/* virtual_date - the Date:/Received: date of virtual time t: the scenario's "start" is time 0
 * (any start, earlier than MAIL_EPOCH too). */
void w_virtual_date(const world *w, uint64_t t, char out[MAIL_DATE_MAX])
{
    mail_date_from(w->sp->start_epoch_s, t, out);
}

bool w_fault_active(const world *w, int node, uint64_t t)
{
    for (size_t i = 0; i < w->sp->n_faults; i++) {
        const scenario_fault *f = &w->sp->faults[i];
        if (f->node == node && f->kind != SCENARIO_FAULT_REPLY && t >= f->from_ms &&
            t < f->until_ms)
            return true;
    }
    return false;
}

bool w_has_reply_faults(const world *w, int node)
{
    for (size_t i = 0; i < w->sp->n_faults; i++)
        if (w->sp->faults[i].kind == SCENARIO_FAULT_REPLY && w->sp->faults[i].node == node)
            return true;
    return false;
}

static const char *const verb_slots[] = {"CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", ".",
                                         "AUTH", "STARTTLS", "QUIT", "RSET", "NOOP", NULL};

int w_verb_slot(const char *verb)
{
    for (int i = 0; verb_slots[i]; i++)
        if (!strcmp(verb_slots[i], verb))
            return i;
    return 15;
}

const scenario_fault *w_find_reply_fault(const world *w, int node, const char *verb, int nth)
{
    for (size_t i = 0; i < w->sp->n_faults; i++) {
        const scenario_fault *f = &w->sp->faults[i];
        if (f->kind == SCENARIO_FAULT_REPLY && f->node == node && f->nth == nth &&
            !strcmp(f->verb, verb))
            return f;
    }
    return NULL;
}

const char *w_role_label(const world *w, int node)
{
    return w->nodes[node].pub.role;
}

world *w_alloc(void)
{
    world *w = calloc(1, sizeof *w);
    if (w)
        w->dns_node = -1;
    return w;
}


void world_free(world *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_conns; i++)
        w_conn_free_engines(w->conns[i]);
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
    /* changes still waiting for a step (the run ended first) hold after the last one */
    for (size_t i = 0; i < w->n_chg; i++) {
        size_t at = w->chg[i].step == SIZE_MAX ? w->n_steps - 1 : w->chg[i].step;
        if (at > step)
            break;
        out[w->chg[i].node] = w->chg[i].st;
    }
}

const char *world_mailbox_message(const world *w, int node, size_t i, size_t *len)
{
    if (!w || node < 0 || (size_t)node >= w->n_nodes || i >= w->nodes[node].n_mail)
        return NULL;
    if (len)
        *len = w->nodes[node].mail_len[i];
    return w->nodes[node].mail[i];
}

const dns_zone *world_dns_zone(const world *w) { return w ? w->zone : NULL; }

char *world_step_position(size_t step, size_t count, char *out, size_t cap)
{
    if (count == 0)
        snprintf(out, cap, "No steps");
    else
        snprintf(out, cap, "Step %zu of %zu (0-%zu)", step, count, count - 1);
    return out;
}

int world_step_reply_class(const world_step *s)
{
    static const struct {
        const char *word;
        int cls;
    } words[] = {
        {"+OK", 2}, {"OK", 2}, {"PREAUTH", 2}, /* RFC 1939 3, RFC 9051 7.1 */
        {"+", 3},                              /* continuation: go on (RFC 9051 7.6) */
        {"-ERR", 5}, {"NO", 5}, {"BAD", 5},
        {"BYE", 4},                            /* closing (RFC 9051 7.1.5) */
    };
    if (!s || s->kind != WORLD_STEP_REPLY)
        return 0;
    if (s->code)
        return s->code >= 200 && s->code <= 599 ? s->code / 100 : 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(s->esc, words[i].word))
            return words[i].cls == 4 && !strcmp(s->verb, "LOGOUT") ? 2 : words[i].cls;
    return 0;
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
    world *w = w_alloc();
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
        s->bytes = w_arena_mem(&w->ar, step->bytes, step->len);
        s->len = step->len;
    }
    memcpy(s->verb, step->verb, sizeof s->verb);
    s->verb[sizeof s->verb - 1] = '\0';
    s->code = step->code;
    memcpy(s->esc, step->esc, sizeof s->esc);
    s->esc[sizeof s->esc - 1] = '\0';
    s->rfc = w_arena_str(&w->ar, step->rfc ? step->rfc : "");
    s->key = w_arena_str(&w->ar, step->key ? step->key : "");
    s->detail = step->detail ? w_arena_str(&w->ar, step->detail) : NULL;
    if (w->ar.failed || !s->text || !s->rfc || !s->key) {
        w->n_steps = before;
        return -1;
    }
    if (state_of_from)
        w_set_state_text(w, step->from, state_of_from, step->tls);
    if (state_of_to)
        w_set_state_text(w, step->to, state_of_to, step->tls);
    if (step->kind == WORLD_STEP_DELIVER) { /* the mailbox's badge counts what reached it */
        world_node_state st = w->nodes[step->to].st;
        st.mailbox_count++;
        note_state(w, step->to, &st);
    }
    return 0;
}
