/* net_server_commit.c - the group-commit writer of a net_server (see net_server_internal.h).
 *
 * A message accepted for a Maildir (or for the relay spool) is prepared in the accept hook,
 * which answers "pending" (smtp_verdict_pending): the engine pauses before its final reply.
 * The files are written, fsynced, renamed into new/ and their directories fsynced by two helper
 * threads, and only then is the session resumed: 250 when the files are durable, 451 4.3.0
 * when they could not be made so (RFC 5321 4.2.2; the client keeps the message and retries,
 * 4.5.4.1). A 250 always means on disk, and a client that disappears before that leaves
 * nothing in the Maildir.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/util/membuf.h"
#include "net/net_server_internal.h"

/* ---- the group commit of Maildir deliveries --------------------------------------------
 *
 * Making a file durable costs disk cache flushes (milliseconds). Done in the loop, they would
 * stall every other session's round trips for that long. So helper threads (two for the whole
 * server, not one per connection) commit batches of written files while the loop goes on
 * serving; the messages finished meanwhile form the next batch.
 *
 * The commit is a two-stage pipeline, because a batch needs two flushes one after the other:
 *   stage 0: write the files into tmp/, flush their data, rename them into new/
 *            (net_maildir_commit_files);
 *   stage 1: flush the new/ directories, so that the renames are durable too
 *            (net_maildir_commit_dirs); only then are the batch's sessions resumed.
 * While batch N waits for its directories in stage 1, batch N+1 is already written and flushed
 * in stage 0; the two touch different files, and each batch still goes through its steps in
 * order, so "250 means on disk" holds for every message. A batch moves on to stage 1 only when
 * stage 1 is free, and batches leave stage 1 in the order they entered stage 0.
 *
 * Each thread touches only its stage's files and result flags; sessions stay on the loop's side.
 * A thread that is done sets its stage_done flag and writes to an eventfd watched by the loop,
 * which then moves the pipeline on (commit_step).
 */

static void commit_step(net_server *s);

void net_server_commit_remove(net_server *s, session *ss)
{
    for (size_t i = 0; i < s->n_commit; i++)
        if (s->commit[i] == ss)
            s->commit[i] = NULL;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < s->stage[k].n; i++)
            if (s->stage[k].owner[i] == ss)
                s->stage[k].owner[i] = NULL; /* the file is still committed; nobody waits */
}

void net_server_commit_abort(session *ss)
{
    for (size_t i = 0; i < ss->n_pend; i++) {
        if (ss->pend[i]->tag == PEND_SPOOL)
            net_server_relay_free(
                ss->pend[i]->user); /* never started: the message is not accepted */
        net_maildir_abort(ss->pend[i]);
        free(ss->pend[i]);
    }
    ss->n_pend = 0;
}

bool net_server_commit_busy(const net_server *s)
{
    return s->stage[0].n > 0 || s->stage[1].n > 0;
}

/* stage_run - the work of stage k on its batch (on the stage's thread, or in the loop). */
static void stage_run(commit_batch *b, int k)
{
    if (k == 0)
        net_maildir_commit_files(b->p, b->n, b->ok);
    else
        net_maildir_commit_dirs(b->p, b->n, b->ok);
}

/* stage_thread - wait for a batch in stage k, run it, tell the loop; until told to quit (a
 * batch handed over before that is finished first). */
static void *stage_thread(net_server *s, int k)
{
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->stage_work[k] && !s->sync_quit)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->stage_work[k])
            break;
        pthread_mutex_unlock(&s->mu);
        stage_run(&s->stage[k], k);
        pthread_mutex_lock(&s->mu);
        s->stage_work[k] = false;
        s->stage_done[k] = true;
        uint64_t one = 1;
        if (write(s->efd, &one, sizeof one) < 0) {
            /* cannot happen with an eventfd below its maximum */
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void *files_thread(void *arg)
{
    return stage_thread(arg, 0);
}

static void *dirs_thread(void *arg)
{
    return stage_thread(arg, 1);
}

/* stage_go - hand stage k's batch to its thread; without threads, run it here. */
static void stage_go(net_server *s, int k)
{
    s->stage_busy[k] = true;
    if (!s->threads_ok) {
        stage_run(&s->stage[k], k); /* in the loop, slower */
        s->stage_done[k] = true;
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->stage_work[k] = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* batch_finish - the batch is durable (or failed): resume its sessions with 250 or 451. */
static void batch_finish(net_server *s, commit_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        session *ss = b->owner[i];
        if (b->p[i]->tag == PEND_SPOOL) {
            /* the queue file is durable: now the relay may go (and delete it when done) */
            relay_job *j = b->p[i]->user;
            if (b->ok[i]) {
                j->spool_path = strdup(b->p[i]->new_path);
                net_server_relay_start(j);
            } else {
                net_server_relay_free(j);
            }
        }
        if (b->ok[i] && b->p[i]->tag == PEND_SPOOL) {
            /* counted as relayed later */
        } else if (b->ok[i]) {
            s->stats.delivered_files++;
            if (ss) {
                net_server_log(s, NET_LOG_SESSION, "#%u delivered %s", ss->id, b->p[i]->new_path);
                net_obs o = {.kind = NET_OBS_DELIVERED,
                             .session = ss->id,
                             .tls = ss->tls,
                             .text = b->p[i]->new_path};
                net_server_observe(s, &o);
            }
        } else if (ss) {
            ss->sync_failed = true;
        }
        free(b->p[i]);
        b->p[i] = NULL;
        if (ss)
            ss->in_flight--;
    }
    for (size_t i = 0; i < b->n; i++) {
        session *ss = b->owner[i];
        if (!ss || ss->in_flight != 0 || ss->released)
            continue;
        ss->released = true;  /* once per session per batch */
        smtp_verdict v = {0}; /* accepted: the engine's own 250 */
        if (ss->sync_failed) {
            /* No 250 for a message that is not safely stored: 451 4.3.0, and the session goes
             * on; the client keeps the message and tries again (RFC 5321 4.5.4.1). */
            net_server_log(s, NET_LOG_QUIET,
                           "#%u cannot make the message durable: answering 451 4.3.0", ss->id);
            smtp_verdict_set(&v, 451, "4.3.0", "Cannot store the message now, try again later");
            ss->sync_failed = false;
        }
        /* -1 when the session is no longer paused (shut down meanwhile): nothing to answer */
        smtp_server_resume(ss->eng, &v, net_loop_now(s->loop));
        net_server_session_process(ss);
    }
    for (size_t i = 0; i < b->n; i++)
        if (b->owner[i])
            b->owner[i]->released = false;
    b->n = 0;
}

/* batch_fill - move every pending message into stage 0's batch. 0, or -1 when nothing moved
 * (nothing pending, or no memory: then the waiting sessions are cut off). */
static int batch_fill(net_server *s)
{
    size_t total = 0;
    for (size_t i = 0; i < s->n_commit; i++)
        if (s->commit[i])
            total += s->commit[i]->n_pend;
    commit_batch *b = &s->stage[0];
    if (total > b->cap) {
        size_t cap = total * 2;
        session **o = realloc(b->owner, cap * sizeof *o);
        if (o)
            b->owner = o;
        net_maildir_pending **p = realloc(b->p, cap * sizeof *p);
        if (p)
            b->p = p;
        bool *ok = realloc(b->ok, cap * sizeof *ok);
        if (ok)
            b->ok = ok;
        if (!o || !p || !ok) {
            for (size_t i = 0; i < s->n_commit; i++)
                if (s->commit[i]) {
                    net_server_commit_abort(s->commit[i]);
                    net_conn_close(s->commit[i]->conn, false, "out of memory");
                }
            s->n_commit = 0;
            return -1;
        }
        b->cap = cap;
    }
    b->n = 0;
    for (size_t i = 0; i < s->n_commit; i++) {
        session *ss = s->commit[i];
        if (!ss)
            continue;
        for (size_t j = 0; j < ss->n_pend; j++) {
            b->owner[b->n] = ss;
            b->p[b->n++] = ss->pend[j];
            ss->in_flight++;
        }
        ss->n_pend = 0;
    }
    s->n_commit = 0;
    return b->n ? 0 : -1;
}

/* commit_step - move the pipeline on as far as it goes: finish what stage 1 synced, pass a
 * flushed batch from stage 0 to a free stage 1, fill a free stage 0 with what is pending. */
static void commit_step(net_server *s)
{
    for (;;) {
        bool done[2];
        if (s->threads_ok)
            pthread_mutex_lock(&s->mu);
        for (int k = 0; k < 2; k++) {
            done[k] = s->stage_done[k];
            s->stage_done[k] = false;
        }
        if (s->threads_ok)
            pthread_mutex_unlock(&s->mu);
        bool moved = false;
        for (int k = 0; k < 2; k++)
            if (done[k])
                s->stage_busy[k] = false;
        if (done[1]) {
            batch_finish(s, &s->stage[1]);
            moved = true;
        }
        if (s->stage[0].n && !s->stage_busy[0] && !s->stage[1].n && !s->stage_busy[1]) {
            commit_batch t = s->stage[1]; /* swap: each keeps its arrays */
            s->stage[1] = s->stage[0];
            s->stage[0] = t;
            stage_go(s, 1);
            moved = true;
        }
        if (!s->stage[0].n && !s->stage_busy[0] && s->n_commit && batch_fill(s) == 0) {
            stage_go(s, 0);
            moved = true;
        }
        if (!moved)
            break;
    }
}

static void on_sync_done(void *ctx, int fd, unsigned events)
{
    net_server *s = ctx;
    (void)events;
    uint64_t v;
    if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
        return;
    commit_step(s);
}

/* commit_run - end of the loop iteration: the messages written in it start their commit now
 * when stage 0 is free, or join the next batch. */
static void commit_run(void *ctx)
{
    net_server *s = ctx;
    s->commit_scheduled = false;
    commit_step(s);
}

int net_server_commit_add(net_server *s, session *ss)
{
    session **c = membuf_grow_array(s->commit, &s->cap_commit, s->n_commit + 1, sizeof *c);
    if (!c)
        return -1;
    s->commit = c;
    for (size_t i = 0; i < s->n_commit; i++)
        if (s->commit[i] == ss)
            return 0;
    s->commit[s->n_commit++] = ss;
    if (!s->commit_scheduled && net_loop_defer(s->loop, commit_run, s) == 0)
        s->commit_scheduled = true;
    return s->commit_scheduled ? 0 : -1;
}
void net_server_commit_deliver(session *ss, const smtp_envelope *env, smtp_verdict *v)
{
    net_server *s = ss->srv;
    for (size_t i = 0; i < env->n_rcpts; i++) {
        const char *rcpt = env->rcpts[i];
        const char *at = strrchr(rcpt, '@');
        char local[128], box[128];
        size_t ll = at ? (size_t)(at - rcpt) : strlen(rcpt);
        if (ll >= sizeof local)
            ll = sizeof local - 1;
        memcpy(local, rcpt, ll);
        local[ll] = '\0';
        if (!strcasecmp(local, "postmaster") || net_maildir_mailbox_name(local, box, sizeof box))
            snprintf(box, sizeof box, "postmaster");
        char hdr[NET_SERVER_TRACE_MAX];
        size_t hl =
            net_server_received(ss, env, env->n_rcpts == 1 ? rcpt : NULL, true, hdr, sizeof hdr);
        net_maildir_pending *p = malloc(sizeof *p);
        if (!p || net_server_commit_reserve(ss) != 0 ||
            net_maildir_prepare(s->cfg->maildir, box, hdr, hl, env->data, env->data_len, p) != 0) {
            free(p);
            net_server_log(s, NET_LOG_QUIET, "#%u cannot write to the Maildir %s: %s", ss->id,
                           s->cfg->maildir, strerror(errno));
            net_server_commit_abort(ss);
            smtp_verdict_set(v, 451, "4.3.0", "Cannot store the message now, try again later");
            return;
        }
        ss->pend[ss->n_pend++] = p;
    }
    if (net_server_commit_add(s, ss) != 0) {
        net_server_commit_abort(ss);
        smtp_verdict_set(v, 451, "4.3.0", "Out of memory, try again later");
        return;
    }
    /* No reply yet: the session is resumed when commit_run has synced the files. */
    smtp_verdict_pending(v);
}

/* net_server_commit_reserve - room for one more file in ss->pend */
int net_server_commit_reserve(session *ss)
{
    net_maildir_pending **np =
        membuf_grow_array(ss->pend, &ss->cap_pend, ss->n_pend + 1, sizeof *np);
    if (!np)
        return -1;
    ss->pend = np;
    return 0;
}

void net_server_commit_init(net_server *s)
{
    s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (s->efd < 0 || net_loop_add(s->loop, s->efd, NET_EV_READ, on_sync_done, s) != 0 ||
        pthread_create(&s->thread[0], NULL, files_thread, s) != 0)
        return;
    if (pthread_create(&s->thread[1], NULL, dirs_thread, s) != 0) {
        pthread_mutex_lock(&s->mu); /* one stage alone cannot run: both in the loop instead */
        s->sync_quit = true;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread[0], NULL);
        s->sync_quit = false;
        return;
    }
    s->threads_ok = true;
}

void net_server_commit_stop(net_server *s)
{
    if (s->threads_ok) {
        /* A batch in flight is finished first: its files are written and may be renamed. */
        pthread_mutex_lock(&s->mu);
        s->sync_quit = true;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread[0], NULL);
        pthread_join(s->thread[1], NULL);
    }
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < s->stage[k].n; i++)
            free(s->stage[k].p[i]);
        free(s->stage[k].owner);
        free(s->stage[k].p);
        free(s->stage[k].ok);
    }
    if (s->uses_commit) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
    }
    if (s->efd >= 0) {
        net_loop_del(s->loop, s->efd);
        close(s->efd);
    }
    free(s->commit);
}
