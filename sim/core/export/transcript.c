/* transcript.c - render a world's timeline as a readable transcript or a JSON trace.
 *
 * Only reads the world (world.h) and the explanations (explain.h); never re-runs anything.
 * Text output is built line by line with stdio; the JSON trace with cJSON.
 */
#include "core/export/transcript.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "core/teach/explain.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_CLIENT "\033[36m"
#define C_OK "\033[32m"
#define C_TEMP "\033[33m"
#define C_PERM "\033[31m"
#define C_NOTE "\033[35m"
#define INDENT "                  " /* under the step number and time */

const char *transcript_time(unsigned long long ms, char *out, size_t cap)
{
    unsigned long long s = ms / 1000;
    snprintf(out, cap, "%llu:%02llu:%02llu.%03llu", s / 3600, s / 60 % 60, s % 60, ms % 1000);
    return out;
}

static const char *col(const transcript_opts *o, const char *c) { return o->color ? c : ""; }

/* hop_of - steps of one connection share a hop; other steps are grouped by their two ends. */
static long hop_of(const world_step *s)
{
    if (s->conn >= 0)
        return s->conn;
    long a = s->from < s->to ? s->from : s->to, b = s->from < s->to ? s->to : s->from;
    return -1000000L - a * 1000 - b; /* a DNS question and its answer share a hop */
}

static void hop_header(FILE *out, const world *w, const world_step *s, const transcript_opts *o)
{
    const world_node *a = world_node_at(w, (size_t)s->from), *b = world_node_at(w, (size_t)s->to);
    if (!a || !b)
        return;
    fputs(col(o, C_BOLD), out);
    if (s->conn >= 0) {
        /* every connection starts with its CONNECT step: client -> server */
        const world_node *cl = a, *sv = b;
        for (size_t i = 0; i < world_step_count(w); i++) {
            const world_step *c = world_step_at(w, i);
            if (c->conn == s->conn && c->kind == WORLD_STEP_CONNECT) {
                cl = world_node_at(w, (size_t)c->from);
                sv = world_node_at(w, (size_t)c->to);
                break;
            }
        }
        fprintf(out, "%s %s -> %s %s:%u", cl->role, cl->name, sv->role, sv->host,
                (unsigned)s->port);
    } else if (s->from == s->to) {
        fprintf(out, "%s %s", a->role, a->name);
    } else {
        fprintf(out, "%s %s -> %s %s", a->role, a->name, b->role, b->name);
    }
    fprintf(out, "%s\n", col(o, C_RESET));
}

static const char *reply_color(int code)
{
    return code >= 500 ? C_PERM : code >= 400 ? C_TEMP : C_OK;
}

/* print_lines - bytes split at CRLF, each line with the arrow; up to max lines. */
static void print_lines(FILE *out, const char *first_prefix, const char *cont_prefix,
                        const char *arrow, const char *color, const char *b, size_t len,
                        size_t max, const transcript_opts *o)
{
    size_t shown = 0, total = 0, i = 0;
    for (size_t k = 0; k < len; k++)
        if (b[k] == '\n')
            total++;
    if (len && b[len - 1] != '\n')
        total++;
    while (i < len) {
        size_t e = i;
        while (e < len && b[e] != '\n')
            e++;
        size_t n = e - i;
        if (n && b[i + n - 1] == '\r')
            n--;
        if (shown == max) {
            fprintf(out, "%s%s%s... (%zu more lines)%s\n", shown ? cont_prefix : first_prefix,
                    col(o, color), arrow, total - shown, col(o, C_RESET));
            return;
        }
        fprintf(out, "%s%s%s%.*s%s\n", shown ? cont_prefix : first_prefix, col(o, color), arrow,
                (int)n, b + i, col(o, C_RESET));
        shown++;
        i = e + 1;
    }
}

/* first_label_unique - no other node of the same role shares the first label of n's host. */
static bool first_label_unique(const world *w, const world_node *n)
{
    size_t l = strcspn(n->host, ".");
    for (size_t i = 0; i < world_node_count(w); i++) {
        const world_node *m = world_node_at(w, i);
        if (m != n && !strcmp(m->role, n->role) && strcspn(m->host, ".") == l &&
            !strncmp(m->host, n->host, l))
            return false;
    }
    return true;
}

/* node_label - a node's short name for hop markers: its role ("MTA") when no other node has
 * that role (a mailbox is always "Mailbox": the step's text names it), else the role and a
 * short name: its display name if it has one of its own ("MTA:Smarthost"), the first label of
 * its host if that tells it apart ("MTA:out"), else its host ("MX:mx.example.com"). */
static void node_label(const world *w, int id, char *out, size_t cap)
{
    const world_node *n = world_node_at(w, (size_t)id);
    if (!n) {
        snprintf(out, cap, "?");
        return;
    }
    int same = 0;
    for (size_t i = 0; i < world_node_count(w); i++)
        same += !strcmp(world_node_at(w, i)->role, n->role);
    if (same <= 1 || n->kind == WORLD_NODE_MAILBOX) {
        snprintf(out, cap, "%s", n->role);
        return;
    }
    if (strcmp(n->name, n->host) && n->name[0] && !strpbrk(n->name, " .'"))
        snprintf(out, cap, "%s:%s", n->role, n->name);
    else if (first_label_unique(w, n))
        snprintf(out, cap, "%s:%.*s", n->role, (int)strcspn(n->host, "."), n->host);
    else
        snprintf(out, cap, "%s:%s", n->role, n->host);
}

/* hop_marker - "[MUA->MSA]" for a step printed inside another hop's section: a session's
 * steps are labelled client->server like the hop header (the arrows give the direction),
 * other steps from->to, a node's own steps by the node alone ("[MTA]"). */
static void hop_marker(const world *w, const world_step *s, char *out, size_t cap)
{
    int a = s->from, b = s->to;
    if (s->conn >= 0) {
        for (size_t i = 0; i < world_step_count(w); i++) {
            const world_step *c = world_step_at(w, i);
            if (c->conn == s->conn && c->kind == WORLD_STEP_CONNECT) {
                a = c->from;
                b = c->to;
                break;
            }
        }
    }
    char la[48], lb[48];
    node_label(w, a, la, sizeof la);
    if (a == b) {
        snprintf(out, cap, "[%s] ", la);
        return;
    }
    node_label(w, b, lb, sizeof lb);
    snprintf(out, cap, "[%s->%s] ", la, lb);
}

/* write_step - one step; `marker` ("" or "[MTA->DNS] ") goes before its arrow on the first
 * line, and continuation lines are indented to match. */
static void write_step(FILE *out, const world_step *s, const transcript_opts *o,
                       const char *marker)
{
    char t[32], prefix[160], cont[96];
    transcript_time(s->t_send_ms, t, sizeof t);
    snprintf(prefix, sizeof prefix, "%s%4zu %s%s  %s", col(o, C_DIM), s->index, t, col(o, C_RESET),
             marker);
    snprintf(cont, sizeof cont, "%s%*s", INDENT, (int)strlen(marker), "");
    switch (s->kind) {
    case WORLD_STEP_COMMAND:
        if (s->bytes && s->len)
            print_lines(out, prefix, cont, s->tls ? " ~> " : " -> ", C_CLIENT, s->bytes, s->len,
                        8, o);
        else
            fprintf(out, "%s%s%s%s%s\n", prefix, col(o, C_CLIENT), s->tls ? " ~> " : " -> ",
                    s->text, col(o, C_RESET));
        break;
    case WORLD_STEP_DATA:
        print_lines(out, prefix, cont, s->tls ? " ~> " : " -> ", C_CLIENT, s->bytes ? s->bytes : "",
                    s->bytes ? s->len : 0, TRANSCRIPT_MAX_DATA_LINES, o);
        break;
    case WORLD_STEP_REPLY:
        if (s->bytes && s->len)
            print_lines(out, prefix, cont, s->tls ? "<~  " : "<-  ", reply_color(s->code), s->bytes,
                        s->len, 64, o);
        else
            fprintf(out, "%s%s%s%s%s\n", prefix, col(o, reply_color(s->code)),
                    s->tls ? "<~  " : "<-  ", s->text, col(o, C_RESET));
        break;
    default:
        fprintf(out, "%s%s=== %s%s\n", prefix, col(o, C_NOTE), s->text, col(o, C_RESET));
        break;
    }
    if (o->explain) {
        const char *e = NULL;
        if (s->key && *s->key && explain_find(s->key))
            e = explain_text(s->key);
        else if (s->kind == WORLD_STEP_REPLY && s->code)
            e = s->esc[0] ? explain_esc(s->esc) : explain_reply_code(s->code);
        else
            e = explain_text(s->key ? s->key : "");
        fprintf(out, "%s%s# %s%s%s%s\n", cont, col(o, C_DIM), e,
                s->rfc && *s->rfc ? " (" : "", s->rfc && *s->rfc ? s->rfc : "",
                s->rfc && *s->rfc ? ")" : "");
        fputs(col(o, C_RESET), out);
        /* the narration a lesson attaches to this step, as the window's panel shows it */
        for (size_t i = 0; i < o->n_notes; i++)
            if (o->notes[i].step == s->index)
                fprintf(out, "%s%s> %s: %s%s\n", cont, col(o, C_BOLD), o->notes[i].lesson,
                        o->notes[i].text, col(o, C_RESET));
    }
}

/* ---- sections ------------------------------------------------------------------------------
 * Steps are printed in time order, never regrouped: parallel hops interleave as they happened.
 * To keep that readable, the text is cut into sections, each under one hop header. A step of
 * another hop starts a new section only when the current section's hop has nothing more to
 * show, or when it opens a new session (a CONNECT); otherwise it is printed in place with a
 * short marker ("[MTA->DNS]") saying whose it is. next_same[i] (the next step of step i's hop)
 * answers "has the hop more to show?"; it is found with one backward pass over a small
 * open-addressing table (O(steps)). */

typedef struct {
    long key;
    size_t last;
    bool used;
} hop_slot;

static size_t *next_same_hop(const world *w, size_t first, size_t last)
{
    size_t n = last - first + 1, cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    size_t *next = malloc(n * sizeof *next);
    hop_slot *tab = calloc(cap, sizeof *tab);
    if (!next || !tab) {
        free(next);
        free(tab);
        return NULL;
    }
    for (size_t k = n; k-- > 0;) {
        long h = hop_of(world_step_at(w, first + k));
        size_t i = ((unsigned long)h * 0x9E3779B97F4A7C15ULL) & (cap - 1);
        while (tab[i].used && tab[i].key != h)
            i = (i + 1) & (cap - 1);
        next[k] = tab[i].used ? tab[i].last : SIZE_MAX;
        tab[i] = (hop_slot){.key = h, .last = first + k, .used = true};
    }
    free(tab);
    return next;
}

int transcript_write_range(FILE *out, const world *w, size_t first, size_t last,
                           const transcript_opts *o)
{
    size_t n = world_step_count(w);
    if (first >= n)
        return ferror(out) ? -1 : 0;
    if (last >= n)
        last = n - 1;
    size_t *next = next_same_hop(w, first, last);
    if (!next)
        return -1;
    long hop = 0;        /* the current section's hop */
    size_t hop_last = 0; /* the last step of that hop printed so far */
    bool have_hop = false;
    for (size_t i = first; i <= last; i++) {
        const world_step *s = world_step_at(w, i);
        long h = hop_of(s);
        char marker[112] = "";
        if (!have_hop || h == hop) {
            if (!have_hop)
                hop_header(out, w, s, o);
            hop = h;
            have_hop = true;
            hop_last = i;
        } else if (next[hop_last - first] == SIZE_MAX || s->kind == WORLD_STEP_CONNECT) {
            fputc('\n', out);
            hop_header(out, w, s, o);
            hop = h;
            hop_last = i;
        } else {
            hop_marker(w, s, marker, sizeof marker);
        }
        write_step(out, s, o, marker);
    }
    free(next);
    return ferror(out) ? -1 : 0;
}

int transcript_write(FILE *out, const world *w, const transcript_opts *o)
{
    size_t n = world_step_count(w);
    if (n && transcript_write_range(out, w, 0, n - 1, o) < 0)
        return -1;
    /* the delivered messages, whole: the headers each hop added are the point */
    for (size_t k = 0; k < world_node_count(w); k++) {
        const world_node *nd = world_node_at(w, k);
        if (nd->kind != WORLD_NODE_MAILBOX)
            continue;
        size_t len;
        const char *m;
        for (size_t i = 0; (m = world_mailbox_message(w, (int)k, i, &len)); i++) {
            fprintf(out, "\n%sMailbox %s: message %zu as delivered%s\n", col(o, C_BOLD), nd->name,
                    i + 1, col(o, C_RESET));
            print_lines(out, "  | ", "  | ", "", "", m, len, 1000, o);
        }
    }
    return ferror(out) ? -1 : 0;
}

int transcript_write_state(FILE *out, const world *w, size_t step, const transcript_opts *o)
{
    size_t n = world_node_count(w);
    world_node_state *st = calloc(n ? n : 1, sizeof *st);
    if (!st)
        return -1;
    world_state_at(w, step, st);
    char t[32] = "";
    const world_step *s = step == SIZE_MAX ? NULL : world_step_at(w, step);
    char pos[64];
    if (s)
        fprintf(out, "%s%s, state of every node (arrives at %s):%s\n", col(o, C_BOLD),
                world_step_position(step, world_step_count(w), pos, sizeof pos),
                transcript_time(s->t_arrive_ms, t, sizeof t), col(o, C_RESET));
    else
        fprintf(out, "%sState before the first step:%s\n", col(o, C_BOLD), col(o, C_RESET));
    for (size_t i = 0; i < n; i++) {
        const world_node *nd = world_node_at(w, i);
        fprintf(out, "  %-7s %-28s %s", nd->role, nd->name, st[i].state);
        if (st[i].tls)
            fputs(", TLS", out);
        if (nd->kind == WORLD_NODE_MSA || nd->kind == WORLD_NODE_MTA)
            fprintf(out, ", queue %d", st[i].queue_len);
        if (nd->kind == WORLD_NODE_MAILBOX && !(st[i].state[0] >= '0' && st[i].state[0] <= '9'))
            fprintf(out, ", %d message%s", st[i].mailbox_count, st[i].mailbox_count == 1 ? "" : "s");
        fputc('\n', out);
    }
    free(st);
    return ferror(out) ? -1 : 0;
}

char *transcript_json(const world *w, const char *scenario_id, const char *title)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "scenario", scenario_id ? scenario_id : "");
    cJSON_AddStringToObject(root, "title", title ? title : "");
    cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
    for (size_t i = 0; i < world_node_count(w); i++) {
        const world_node *nd = world_node_at(w, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", nd->id);
        cJSON_AddStringToObject(o, "role", nd->role);
        cJSON_AddStringToObject(o, "name", nd->name);
        cJSON_AddStringToObject(o, "host", nd->host);
        cJSON_AddStringToObject(o, "addr", nd->addr);
        cJSON_AddNumberToObject(o, "port", nd->port);
        cJSON_AddItemToArray(nodes, o);
    }
    cJSON *steps = cJSON_AddArrayToObject(root, "steps");
    for (size_t i = 0; i < world_step_count(w); i++) {
        const world_step *s = world_step_at(w, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", (double)s->index);
        cJSON_AddStringToObject(o, "kind", world_step_kind_name(s->kind));
        cJSON_AddNumberToObject(o, "from", s->from);
        cJSON_AddNumberToObject(o, "to", s->to);
        cJSON_AddNumberToObject(o, "conn", s->conn);
        cJSON_AddNumberToObject(o, "port", s->port);
        cJSON_AddBoolToObject(o, "tls", s->tls);
        cJSON_AddNumberToObject(o, "t_send_ms", (double)s->t_send_ms);
        cJSON_AddNumberToObject(o, "t_arrive_ms", (double)s->t_arrive_ms);
        cJSON_AddStringToObject(o, "text", s->text ? s->text : "");
        if (s->bytes) {
            /* wire bytes are text in SMTP; cJSON escapes control characters */
            char *b = malloc(s->len + 1);
            if (b) {
                memcpy(b, s->bytes, s->len);
                b[s->len] = '\0';
                cJSON_AddStringToObject(o, "bytes", b);
                free(b);
            }
        }
        if (s->verb[0])
            cJSON_AddStringToObject(o, "verb", s->verb);
        if (s->code)
            cJSON_AddNumberToObject(o, "code", s->code);
        if (s->esc[0])
            cJSON_AddStringToObject(o, "esc", s->esc);
        if (s->rfc && *s->rfc)
            cJSON_AddStringToObject(o, "rfc", s->rfc);
        if (s->key && *s->key)
            cJSON_AddStringToObject(o, "key", s->key);
        if (s->detail)
            cJSON_AddStringToObject(o, "detail", s->detail);
        cJSON_AddItemToArray(steps, o);
    }
    cJSON *boxes = cJSON_AddArrayToObject(root, "mailboxes");
    for (size_t k = 0; k < world_node_count(w); k++) {
        const world_node *nd = world_node_at(w, k);
        if (nd->kind != WORLD_NODE_MAILBOX)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "node", (double)k);
        cJSON_AddStringToObject(o, "name", nd->name);
        cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
        size_t len;
        const char *m;
        for (size_t i = 0; (m = world_mailbox_message(w, (int)k, i, &len)); i++)
            cJSON_AddItemToArray(msgs, cJSON_CreateString(m));
        cJSON_AddItemToArray(boxes, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
