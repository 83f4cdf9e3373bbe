/* progress.c - the learner's progress file: Leitner scheduling, validated load, atomic save. */
#include "core/teach/progress.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util/file_util.h"
#include "core/util/json_load.h"

/* Largest time accepted in a file: 2^52, or what a long holds where it has 32 bits (the
 * WebAssembly build), since json_int reads into a long. */
#define PROGRESS_MAX_TIME (LONG_MAX > (1LL << 52) ? (1LL << 52) : LONG_MAX)

struct progress {
    progress_entry *v;
    size_t n, cap;
};

/* Days a question waits in each box before it is due again (index = box). Box 1 is "at once":
 * a missed question comes back in the next session. */
static const int interval_days[PROGRESS_BOXES + 1] = {0, 0, 1, 3, 7, 21};

int64_t progress_interval(int box)
{
    if (box < 1)
        box = 1;
    if (box > PROGRESS_BOXES)
        box = PROGRESS_BOXES;
    return (int64_t)interval_days[box] * PROGRESS_DAY;
}

progress *progress_new(void)
{
    return calloc(1, sizeof(progress));
}

void progress_free(progress *p)
{
    if (!p)
        return;
    free(p->v);
    free(p);
}

size_t progress_count(const progress *p)
{
    return p ? p->n : 0;
}

const progress_entry *progress_at(const progress *p, size_t i)
{
    return (p && i < p->n) ? &p->v[i] : NULL;
}

const progress_entry *progress_get(const progress *p, const char *id)
{
    for (size_t i = 0; p && id && i < p->n; i++)
        if (!strcmp(p->v[i].id, id))
            return &p->v[i];
    return NULL;
}

static progress_entry *entry_add(progress *p, const char *id)
{
    if (strlen(id) >= sizeof p->v[0].id || p->n >= PROGRESS_MAX_ENTRIES)
        return NULL;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        progress_entry *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return NULL;
        p->v = v;
        p->cap = cap;
    }
    progress_entry *e = &p->v[p->n++];
    memset(e, 0, sizeof *e);
    strcpy(e->id, id);
    e->box = 1;
    return e;
}

void progress_record(progress *p, const char *id, bool right, int64_t now)
{
    if (!p || !id)
        return;
    progress_entry *e = (progress_entry *)progress_get(p, id);
    if (!e) {
        e = entry_add(p, id);
        if (!e)
            return;
    }
    e->box = right ? (e->box < PROGRESS_BOXES ? e->box + 1 : PROGRESS_BOXES) : 1;
    e->due = now + progress_interval(e->box);
    e->last = now;
    e->last_ok = right;
    e->seen++;
    if (right)
        e->right++;
}

bool progress_is_due(const progress *p, const char *id, int64_t now)
{
    const progress_entry *e = progress_get(p, id);
    return !e || e->due <= now;
}

progress *progress_load_buffer(const char *origin, const char *buf, size_t len, char *err,
                               size_t errlen)
{
    cJSON *root = json_parse_buffer(origin, buf, len, err, errlen);
    if (!root)
        return NULL;
    progress *p = progress_new();
    json_check c;
    json_check_init(&c, origin);
    if (!p) {
        json_fail(&c, "", "out of memory");
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        json_fail(&c, "", "expected an object {\"version\": 1, \"questions\": {...}}");
        goto done;
    }
    json_int(&c, root, "", "version", true, 1, PROGRESS_VERSION, 1);
    const cJSON *qs = json_object(&c, root, "", "questions", true);
    if (c.failed)
        goto done;
    for (const cJSON *it = qs->child; it && !c.failed; it = it->next) {
        char qp[128];
        json_path(qp, sizeof qp, "questions", it->string ? it->string : "?", 0);
        if (!it->string || !it->string[0] || strlen(it->string) >= sizeof p->v[0].id) {
            json_fail(&c, qp, "bad question id");
            break;
        }
        if (progress_get(p, it->string)) {
            json_fail(&c, qp, "listed twice");
            break;
        }
        if (!cJSON_IsObject(it)) {
            json_fail(&c, qp, "expected an object");
            break;
        }
        progress_entry tmp = {0};
        tmp.box = (int)json_int(&c, it, qp, "box", true, 1, PROGRESS_BOXES, 1);
        tmp.due = json_int(&c, it, qp, "due", true, 0, PROGRESS_MAX_TIME, 0);
        tmp.last = json_int(&c, it, qp, "last", false, 0, PROGRESS_MAX_TIME, 0);
        tmp.last_ok = json_bool(&c, it, qp, "ok", false);
        tmp.seen = (unsigned)json_int(&c, it, qp, "seen", false, 0, 1L << 30, 0);
        tmp.right = (unsigned)json_int(&c, it, qp, "right", false, 0, 1L << 30, 0);
        if (c.failed)
            break;
        if (tmp.right > tmp.seen) {
            json_fail(&c, qp, "more right answers than answers");
            break;
        }
        progress_entry *e = entry_add(p, it->string);
        if (!e) {
            json_fail(&c, qp, "too many entries");
            break;
        }
        strcpy(tmp.id, e->id);
        *e = tmp;
    }
done:
    cJSON_Delete(root);
    if (c.failed) {
        snprintf(err, errlen, "%s", c.err);
        progress_free(p);
        return NULL;
    }
    return p;
}

/* newer_version - the file's "version" when it is a well-formed object from a later format. */
static long newer_version(const char *buf, size_t n)
{
    char err[64];
    if (n == 0 || n > PROGRESS_MAX_FILE_BYTES)
        return 0;
    cJSON *root = json_parse_buffer("", buf, n, err, sizeof err);
    const cJSON *v =
        cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "version") : NULL;
    long ver = (cJSON_IsNumber(v) && v->valuedouble > PROGRESS_VERSION && v->valuedouble < 1e6)
                   ? (long)v->valuedouble
                   : 0;
    cJSON_Delete(root);
    return ver;
}

/* move_aside - rename a damaged file to path.broken-N with the first free N. */
static int move_aside(const char *path, char *out, size_t outlen)
{
    for (int n = 1; n <= PROGRESS_MAX_BROKEN; n++) {
        struct stat st;
        if (snprintf(out, outlen, "%s.broken-%d", path, n) >= (int)outlen)
            return -1;
        if (lstat(out, &st) == 0)
            continue;
        if (errno != ENOENT)
            return -1;
        return rename(path, out);
    }
    errno = EEXIST;
    return -1;
}

/* read_bytes - the file's bytes in *buf (PROGRESS_LOADED), or empty progress in *out when there
 * is no file (PROGRESS_NEW), or PROGRESS_ERROR with err; a file over the limit is
 * PROGRESS_DAMAGED (nothing in *buf). */
static progress_status read_bytes(const char *path, progress **out, char **buf, size_t *n,
                                  char *err, size_t errlen)
{
    *out = NULL;
    if (file_read_all(path, PROGRESS_MAX_FILE_BYTES, buf, n) == 0)
        return PROGRESS_LOADED;
    if (errno == EFBIG)
        return PROGRESS_DAMAGED;
    if (errno != ENOENT) {
        snprintf(err, errlen, "cannot read progress file %s: %s", path,
                 errno == EIO ? "read error" : strerror(errno));
        return PROGRESS_ERROR;
    }
    *out = progress_new();
    if (!*out) {
        snprintf(err, errlen, "%s: out of memory", path);
        return PROGRESS_ERROR;
    }
    return PROGRESS_NEW;
}

progress_status progress_read(const char *path, progress **out, char *err, size_t errlen)
{
    char *buf;
    size_t n;
    progress_status st = read_bytes(path, out, &buf, &n, err, errlen);
    if (st == PROGRESS_DAMAGED)
        snprintf(err, errlen, "%s: larger than %d bytes", path, PROGRESS_MAX_FILE_BYTES);
    if (st != PROGRESS_LOADED)
        return st == PROGRESS_DAMAGED ? PROGRESS_ERROR : st;
    *out = progress_load_buffer(path, buf, n, err, errlen);
    free(buf);
    return *out ? PROGRESS_LOADED : PROGRESS_ERROR;
}

progress_status progress_load(const char *path, progress **out, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t n = 0;
    char why[600];
    progress *p = NULL;
    progress_status st = read_bytes(path, out, &buf, &n, err, errlen);
    if (st == PROGRESS_NEW || st == PROGRESS_ERROR)
        return st;
    if (st == PROGRESS_DAMAGED) {
        buf = NULL;
        snprintf(why, sizeof why, "%s: larger than %d bytes", path, PROGRESS_MAX_FILE_BYTES);
    } else if (n == 0) {
        snprintf(why, sizeof why, "%s:1:1: empty file", path);
    } else {
        p = progress_load_buffer(path, buf, n, why, sizeof why);
    }
    long newer = p || !buf ? 0 : newer_version(buf, n);
    free(buf);
    if (p) {
        *out = p;
        return PROGRESS_LOADED;
    }
    if (newer) { /* not damaged: written by a newer smtpsim. Leave it exactly as it is. */
        snprintf(err, errlen,
                 "%s was written by a newer smtpsim (format version %ld, this one reads %d); "
                 "use --progress FILE to keep another one",
                 path, newer, PROGRESS_VERSION);
        return PROGRESS_ERROR;
    }
    /* Damaged: keep it for the learner (and for us), never overwrite it. */
    char aside[4096];
    if (move_aside(path, aside, sizeof aside) != 0) {
        snprintf(err, errlen,
                 "progress file is damaged (%s) and could not be moved aside (%s); "
                 "fix or move it yourself",
                 why, strerror(errno));
        return PROGRESS_ERROR;
    }
    *out = progress_new();
    if (!*out) {
        snprintf(err, errlen, "%s: out of memory", path);
        return PROGRESS_ERROR;
    }
    snprintf(err, errlen, "progress file is damaged (%s); kept it as %s and started afresh", why,
             aside);
    return PROGRESS_DAMAGED;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const progress_entry *)a)->id, ((const progress_entry *)b)->id);
}

/* dir_of - the directory part of path ("." when none). 0, or -1 when empty or too long. */
static int dir_of(const char *path, char *dir, size_t cap)
{
    size_t plen = strlen(path);
    if (plen == 0 || plen >= cap)
        return -1;
    memcpy(dir, path, plen + 1);
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return 0;
}

int progress_check_writable(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    const char *failed = "use a bad path";
    file_atomic a = {.f = NULL};
    errno = EINVAL;
    if (dir_of(path, dir, sizeof dir) != 0)
        goto fail;
    /* the probe is what a save does first (create, write, fsync), beside the file */
    failed = "create the directory";
    if (file_mkdirs(dir) != 0)
        goto fail;
    if (file_atomic_open(&a, path, 0600) != 0) {
        failed = a.failed;
        goto fail;
    }
    failed = "write there";
    errno = 0;
    if (fputs("{}\n", a.f) < 0 || fflush(a.f) != 0)
        goto fail_probe;
    failed = "flush to disk there";
    if (fsync(fileno(a.f)) != 0)
        goto fail_probe;
    failed = "write there";
    int rc = fclose(a.f);
    a.f = NULL;
    if (rc != 0)
        goto fail_probe;
    failed = "remove a file there";
    if (unlink(a.tmp) != 0)
        goto fail;
    return 0;
fail_probe:;
    int e = errno ? errno : EIO;
    file_atomic_abort(&a);
    errno = e;
fail:
    snprintf(err, errlen, "cannot keep progress in %s: cannot %s (%s)", path, failed,
             strerror(errno));
    return -1;
}

int progress_save(const progress *p, const char *path, char *err, size_t errlen)
{
    char dir[4096];
    char *text = NULL;

    if (dir_of(path, dir, sizeof dir) != 0) {
        snprintf(err, errlen, "cannot save progress to '%s': bad path", path);
        return -1;
    }

    /* Build the text first: nothing touches the disk if memory runs out. */
    cJSON *root = cJSON_CreateObject();
    cJSON *qs = cJSON_CreateObject();
    progress_entry *sorted = NULL;
    if (!root || !qs) {
        cJSON_Delete(qs);
        goto oom;
    }
    cJSON_AddItemToObject(root, "version", cJSON_CreateNumber(PROGRESS_VERSION));
    cJSON_AddItemToObject(root, "questions", qs);
    size_t n = progress_count(p);
    sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        goto oom;
    if (n)
        memcpy(sorted, p->v, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_entry); /* stable output: diffs stay readable */
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        if (!e)
            goto oom;
        cJSON_AddItemToObject(qs, sorted[i].id, e);
        cJSON_AddItemToObject(e, "box", cJSON_CreateNumber(sorted[i].box));
        cJSON_AddItemToObject(e, "due", cJSON_CreateNumber((double)sorted[i].due));
        cJSON_AddItemToObject(e, "last", cJSON_CreateNumber((double)sorted[i].last));
        cJSON_AddItemToObject(e, "ok", cJSON_CreateBool(sorted[i].last_ok));
        cJSON_AddItemToObject(e, "seen", cJSON_CreateNumber(sorted[i].seen));
        cJSON_AddItemToObject(e, "right", cJSON_CreateNumber(sorted[i].right));
    }
    text = cJSON_Print(root);
    cJSON_Delete(root);
    root = NULL;
    free(sorted);
    sorted = NULL;
    if (!text)
        goto oom;

    const char *failed = "create the directory";
    size_t len = strlen(text);
    text[len] = '\n'; /* cJSON_Print leaves no newline at the end; its NUL makes room for one */
    if (file_mkdirs(dir) != 0 || file_write_atomic(path, text, len + 1, 0600, &failed) != 0)
        goto fail;
    free(text);
    return 0;

oom:
    cJSON_Delete(root);
    free(sorted);
    snprintf(err, errlen, "cannot save progress to %s: out of memory", path);
    return -1;
fail:;
    int saved_errno = errno;
    free(text);
    snprintf(err, errlen, "cannot save progress to %s: cannot %s (%s)", path, failed,
             strerror(saved_errno));
    return -1;
}
