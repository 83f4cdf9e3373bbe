/* lesson.c - loading and validating lesson files (format: lessons/FORMAT.md).
 *
 * Every field goes through the json_load.h getters, so a wrong field is reported by its path.
 * Each question is checked with its own checker: one bad question does not hide the errors of
 * the next, and a lint run shows all of them at once (up to LESSON_MAX_ERRORS).
 */
#include "core/teach/lesson.h"
#include "core/teach/lesson_status.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util/file_util.h"
#include "core/util/json_load.h"
#include "core/util/str_util.h"

/* errors collected during one load */
typedef struct {
    char *buf;
    size_t cap, len;
    int count;
} errlist;

static void err_add(errlist *e, const char *line)
{
    if (e->count >= LESSON_MAX_ERRORS || !e->buf || e->cap == 0)
        return;
    e->count++;
    int n = snprintf(e->buf + e->len, e->cap - e->len, "%s\n", line);
    if (n > 0)
        e->len += (size_t)n < e->cap - e->len ? (size_t)n : e->cap - e->len - 1;
}

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static const char *const kind_names[] = {"single", "multi", "truefalse", "short",
                                         "order",  "match", "predict"};

const char *lesson_kind_name(lesson_kind kind)
{
    if ((unsigned)kind < sizeof kind_names / sizeof kind_names[0])
        return kind_names[kind];
    return "?";
}

int lesson_kind_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (!strcmp(name, kind_names[i]))
            return (int)i;
    return -1;
}

const char *lesson_question_topic(const lesson_question *q)
{
    if (q->n_tags > 0)
        return q->tags[0];
    if (q->lesson && q->lesson->n_topics > 0)
        return q->lesson->topics[0];
    return "general";
}

void lesson_normalise(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    bool space = false;
    if (outlen == 0)
        return;
    while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
        in++;
    for (; *in && o + 1 < outlen; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = true;
            continue;
        }
        if (space && o + 2 < outlen)
            out[o++] = ' ';
        space = false;
        out[o++] = (c < 0x80) ? (char)tolower(c) : (char)c;
    }
    out[o] = '\0';
}

int lesson_reply_code(const char *s)
{
    if (!s)
        return 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (s[0] < '2' || s[0] > '5' || !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
        return 0;
    if (isdigit((unsigned char)s[3])) /* "5500" is not a reply code; "250," and "250 OK" are */
        return 0;
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* string_array - copy a required/optional array of strings into out[]; count in *n. */
static void string_array(json_check *c, const cJSON *obj, const char *path, const char *field,
                         bool required, size_t min, size_t max, char **out, size_t *n)
{
    char fp[256], ip[300];
    const cJSON *arr = json_array(c, obj, path, field, required, max);
    *n = 0;
    if (!arr)
        return;
    json_path(fp, sizeof fp, path, field, 0);
    size_t count = (size_t)cJSON_GetArraySize(arr);
    if (count < min) {
        json_fail(c, fp, "needs at least %zu item%s", min, min == 1 ? "" : "s");
        return;
    }
    size_t i = 0;
    for (const cJSON *it = arr->child; it && i < max; it = it->next, i++) {
        json_path(ip, sizeof ip, fp, NULL, (long)i);
        if (!cJSON_IsString(it) || !it->valuestring) {
            json_fail(c, ip, "expected a string");
            return;
        }
        if (strlen(it->valuestring) > LESSON_MAX_TEXT) {
            json_fail(c, ip, "longer than %d bytes", LESSON_MAX_TEXT);
            return;
        }
        if (it->valuestring[0] == '\0') {
            json_fail(c, ip, "empty string");
            return;
        }
        out[i] = dup_str(it->valuestring);
        *n = i + 1;
    }
}

/* distinct - fail when two entries are equal (after normalising). */
static void distinct(json_check *c, const char *path, char *const *v, size_t n)
{
    char a[256], b[256];
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            lesson_normalise(v[i], a, sizeof a);
            lesson_normalise(v[j], b, sizeof b);
            if (!strcmp(a, b)) {
                char ip[300];
                json_fail(c, json_path(ip, sizeof ip, path, NULL, (long)j),
                          "same as item %zu (\"%.60s\")", i + 1, v[i]);
                return;
            }
        }
}

static bool has(const cJSON *obj, const char *field)
{
    return cJSON_GetObjectItemCaseSensitive(obj, field) != NULL;
}

/* not_for - a field that this kind does not use is an error (usually a mix-up of kinds). */
static void not_for(json_check *c, const cJSON *obj, const char *path, const char *field,
                    lesson_kind kind)
{
    char fp[256];
    if (has(obj, field))
        json_fail(c, json_path(fp, sizeof fp, path, field, 0), "not used by '%s' questions",
                  lesson_kind_name(kind));
}

static const char *const question_fields[] = {
    "id", "kind",        "prompt",  "choices", "answer", "accept",     "items", "pairs",
    "at", "explanation", "why_not", "refs",    "tags",   "difficulty", "pin",   NULL};

/* check_answer_index - one 1-based choice number. */
static int answer_index(json_check *c, const cJSON *a, const char *path, size_t nchoices)
{
    /* range first: casting a double outside long's range is undefined (found by fuzz_lesson) */
    if (!cJSON_IsNumber(a) || !(a->valuedouble >= -1e9 && a->valuedouble <= 1e9) ||
        a->valuedouble != (double)(long)a->valuedouble) {
        json_fail(c, path, "expected a choice number (1-%zu)", nchoices);
        return 0;
    }
    double d = a->valuedouble;
    if (d < 1 || d > (double)nchoices) {
        json_fail(c, path, "choice %.0f does not exist (%zu choices)", d, nchoices);
        return 0;
    }
    return (int)d;
}

static void load_choices(json_check *c, const cJSON *qo, const char *qp, lesson_question *q,
                         bool required)
{
    char fp[256];
    string_array(c, qo, qp, "choices", required, 2, LESSON_MAX_CHOICES, q->choices, &q->n_choices);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(qo, "choices");
    if (!c->failed && arr && cJSON_GetArraySize(arr) > LESSON_MAX_CHOICES)
        json_fail(c, json_path(fp, sizeof fp, qp, "choices", 0), "more than %d choices",
                  LESSON_MAX_CHOICES);
    if (!c->failed)
        distinct(c, json_path(fp, sizeof fp, qp, "choices", 0), q->choices, q->n_choices);
}

/* choice_set - an array of distinct 1-based choice numbers (a multi answer, a pin) as bits;
 * 0 after reporting what is wrong at path fp. */
static unsigned choice_set(json_check *c, const cJSON *arr, const char *fp, size_t n_choices)
{
    char ip[300];
    unsigned mask = 0;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1) {
        json_fail(c, fp, "expected an array of choice numbers, at least one");
        return 0;
    }
    long i = 0;
    for (const cJSON *a = arr->child; a && !c->failed; a = a->next, i++) {
        json_path(ip, sizeof ip, fp, NULL, i);
        int v = answer_index(c, a, ip, n_choices);
        if (v && (mask & (1u << (v - 1))))
            json_fail(c, ip, "choice %d listed twice", v);
        if (v)
            mask |= 1u << (v - 1);
    }
    return c->failed ? 0 : mask;
}

/* load_pin - "pin": [4], the choices that keep their written place when the rest are shuffled. */
static void load_pin(json_check *c, const cJSON *qo, const char *qp, lesson_question *q)
{
    char fp[256];
    const cJSON *pin = cJSON_GetObjectItemCaseSensitive(qo, "pin");
    if (!pin || c->failed)
        return;
    q->pin_mask = choice_set(c, pin, json_path(fp, sizeof fp, qp, "pin", 0), q->n_choices);
}

static void load_why_not(json_check *c, const cJSON *qo, const char *qp, lesson_question *q)
{
    char fp[256], ip[300];
    const cJSON *wn = cJSON_GetObjectItemCaseSensitive(qo, "why_not");
    if (!wn || c->failed)
        return;
    json_path(fp, sizeof fp, qp, "why_not", 0);
    size_t want = q->kind == LESSON_Q_TRUEFALSE ? 2 : q->n_choices;
    if (q->kind != LESSON_Q_TRUEFALSE && q->n_choices == 0) {
        json_fail(c, fp, "only for questions with choices (or truefalse)");
        return;
    }
    if (!cJSON_IsArray(wn)) {
        json_fail(c, fp, "expected an array (one entry per choice)");
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(wn);
    if (n != want) {
        json_fail(c, fp, "has %zu entries, expected %zu (one per %s)", n, want,
                  q->kind == LESSON_Q_TRUEFALSE ? "of true, false" : "choice");
        return;
    }
    size_t i = 0;
    for (const cJSON *it = wn->child; it; it = it->next, i++) {
        json_path(ip, sizeof ip, fp, NULL, (long)i);
        if (cJSON_IsNull(it))
            continue;
        if (!cJSON_IsString(it) || !it->valuestring) {
            json_fail(c, ip, "expected a string or null");
            return;
        }
        if (strlen(it->valuestring) > LESSON_MAX_TEXT) {
            json_fail(c, ip, "longer than %d bytes", LESSON_MAX_TEXT);
            return;
        }
        q->why_not[i] = dup_str(it->valuestring);
    }
}

static void load_at(json_check *c, const cJSON *qo, const char *qp, lesson_question *q,
                    const char *lesson_scenario)
{
    char fp[256];
    const cJSON *at = json_object(c, qo, qp, "at", true);
    if (!at)
        return;
    json_path(fp, sizeof fp, qp, "at", 0);
    static const char *const known[] = {"scenario", "reply_to", "nth", "step", NULL};
    json_unknown_fields(c, at, fp, known);
    const char *sc = json_string(c, at, fp, "scenario", lesson_scenario == NULL, 64, NULL);
    if (c->failed)
        return;
    if (!sc)
        sc = lesson_scenario;
    if (!str_id_ok(sc, strlen(sc), 64)) {
        char sp[300];
        json_fail(c, json_path(sp, sizeof sp, fp, "scenario", 0), "expected an id [a-z0-9-]+");
        return;
    }
    q->has_at = true;
    q->at.scenario = dup_str(sc);
    bool has_verb = has(at, "reply_to"), has_step = has(at, "step");
    if (has_verb == has_step) {
        json_fail(c, fp, "needs either \"reply_to\" (with optional \"nth\") or \"step\"");
        return;
    }
    if (has_step) {
        q->at.step = json_int(c, at, fp, "step", true, 0, 1000000, 0);
        q->at.nth = 1;
        if (has(at, "nth")) {
            char np[300];
            json_fail(c, json_path(np, sizeof np, fp, "nth", 0), "only with \"reply_to\"");
        }
        return;
    }
    const char *verb = json_string(c, at, fp, "reply_to", true, 15, "");
    q->at.nth = (int)json_int(c, at, fp, "nth", false, 1, 1000, 1);
    q->at.step = -1;
    if (c->failed)
        return;
    if (!verb[0]) {
        char vp[300];
        json_fail(c, json_path(vp, sizeof vp, fp, "reply_to", 0), "empty verb");
        return;
    }
    q->at.reply_to = dup_str(verb);
    for (char *p = q->at.reply_to; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

static void load_question(json_check *c, const cJSON *qo, const char *qp, lesson_question *q,
                          const lesson *l)
{
    char fp[256], ip[300];
    if (!cJSON_IsObject(qo)) {
        json_fail(c, qp, "expected an object");
        return;
    }
    json_unknown_fields(c, qo, qp, question_fields);
    const char *id = json_string(c, qo, qp, "id", true, LESSON_MAX_ID, "");
    if (!c->failed && !str_id_ok(id, strlen(id), LESSON_MAX_ID))
        json_fail(c, json_path(fp, sizeof fp, qp, "id", 0), "expected [a-z0-9-]+, got \"%.64s\"",
                  id);
    q->id = dup_str(id);
    const char *kind = json_string(c, qo, qp, "kind", true, 16, "");
    int k = lesson_kind_parse(kind);
    if (!c->failed && k < 0)
        json_fail(c, json_path(fp, sizeof fp, qp, "kind", 0),
                  "unknown kind \"%.20s\" (single, multi, truefalse, short, order, match, predict)",
                  kind);
    if (c->failed)
        return;
    q->kind = (lesson_kind)k;
    q->prompt = dup_str(json_string(c, qo, qp, "prompt", true, LESSON_MAX_TEXT, ""));
    q->explanation = dup_str(json_string(c, qo, qp, "explanation", true, LESSON_MAX_TEXT, ""));
    if (!c->failed && (!q->prompt[0] || !q->explanation[0]))
        json_fail(c, json_path(fp, sizeof fp, qp, q->prompt[0] ? "explanation" : "prompt", 0),
                  "empty");
    string_array(c, qo, qp, "refs", true, 1, LESSON_MAX_REFS, q->refs, &q->n_refs);
    string_array(c, qo, qp, "tags", false, 0, LESSON_MAX_TAGS, q->tags, &q->n_tags);
    q->difficulty = (int)json_int(c, qo, qp, "difficulty", false, 1, 3, 2);
    if (c->failed)
        return;
    if (q->n_tags == 0)
        for (size_t i = 0; i < l->n_topics && i < LESSON_MAX_TAGS; i++)
            q->tags[q->n_tags++] = dup_str(l->topics[i]);

    const cJSON *ans = cJSON_GetObjectItemCaseSensitive(qo, "answer");
    json_path(fp, sizeof fp, qp, "answer", 0);
    switch (q->kind) {
    case LESSON_Q_SINGLE:
        load_choices(c, qo, qp, q, true);
        if (!c->failed && !ans)
            json_fail(c, fp, "missing (required)");
        if (!c->failed)
            q->answer = answer_index(c, ans, fp, q->n_choices);
        break;
    case LESSON_Q_MULTI:
        load_choices(c, qo, qp, q, true);
        if (c->failed)
            break;
        if (!ans) {
            json_fail(c, fp, "missing (required)");
            break;
        }
        q->answer_mask = choice_set(c, ans, fp, q->n_choices);
        break;
    case LESSON_Q_TRUEFALSE:
        if (!ans)
            json_fail(c, fp, "missing (required)");
        else if (!cJSON_IsBool(ans))
            json_fail(c, fp, "expected true or false");
        else
            q->answer_tf = cJSON_IsTrue(ans);
        break;
    case LESSON_Q_SHORT:
        string_array(c, qo, qp, "accept", true, 1, LESSON_MAX_ACCEPT, q->accept, &q->n_accept);
        break;
    case LESSON_Q_ORDER:
        string_array(c, qo, qp, "items", true, 2, LESSON_MAX_ITEMS, q->items, &q->n_items);
        if (!c->failed)
            distinct(c, json_path(ip, sizeof ip, qp, "items", 0), q->items, q->n_items);
        break;
    case LESSON_Q_MATCH: {
        const cJSON *pairs = json_array(c, qo, qp, "pairs", true, LESSON_MAX_ITEMS);
        char pp[256];
        json_path(pp, sizeof pp, qp, "pairs", 0);
        if (!pairs)
            break;
        if (cJSON_GetArraySize(pairs) < 2) {
            json_fail(c, pp, "needs at least 2 pairs");
            break;
        }
        long i = 0;
        for (const cJSON *p = pairs->child; p; p = p->next, i++) {
            json_path(ip, sizeof ip, pp, NULL, i);
            if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !cJSON_IsString(p->child) ||
                !cJSON_IsString(p->child->next)) {
                json_fail(c, ip, "expected [\"left\", \"right\"]");
                break;
            }
            const char *a = p->child->valuestring, *b = p->child->next->valuestring;
            if (!a[0] || !b[0] || strlen(a) > LESSON_MAX_TEXT || strlen(b) > LESSON_MAX_TEXT) {
                json_fail(c, ip, "each side must be a non-empty string up to %d bytes",
                          LESSON_MAX_TEXT);
                break;
            }
            q->left[q->n_pairs] = dup_str(a);
            q->right[q->n_pairs] = dup_str(b);
            q->n_pairs++;
        }
        if (!c->failed)
            distinct(c, pp, q->left, q->n_pairs);
        if (!c->failed)
            distinct(c, pp, q->right, q->n_pairs);
        break;
    }
    case LESSON_Q_PREDICT:
        load_at(c, qo, qp, q, l->scenario);
        if (c->failed)
            break;
        if (has(qo, "choices")) {
            load_choices(c, qo, qp, q, true);
            if (!c->failed && !ans)
                json_fail(c, fp, "missing (required with choices)");
            if (!c->failed)
                q->answer = answer_index(c, ans, fp, q->n_choices);
            if (!c->failed)
                not_for(c, qo, qp, "accept", q->kind);
            if (!c->failed) {
                const char *right = q->choices[q->answer - 1];
                q->predict_code = lesson_reply_code(right);
                if (!q->predict_code && lesson_status_parse(right, q->predict_status,
                                                            sizeof q->predict_status) != 0)
                    json_fail(c, json_path(ip, sizeof ip, qp, "choices", 0),
                              "choice %d (the answer) must start with a reply code or a status "
                              "(+OK, -ERR, OK, NO, BAD, BYE, * 3 EXISTS)", q->answer);
            }
        } else {
            if (ans)
                json_fail(c, fp, "only with \"choices\" (use \"accept\" for a typed code)");
            string_array(c, qo, qp, "accept", false, 1, LESSON_MAX_ACCEPT, q->accept, &q->n_accept);
            for (size_t i = 0; i < q->n_accept && !c->failed; i++) {
                int code = lesson_reply_code(q->accept[i]);
                json_path(ip, sizeof ip, qp, "accept", 0);
                if (!code && lesson_status_accept(q, q->accept[i]) == 0)
                    continue;
                if (!code)
                    json_fail(c, ip, "\"%.40s\" is not a reply code or status", q->accept[i]);
                else if ((q->predict_code && code != q->predict_code) || q->predict_status[0])
                    json_fail(c, ip, "accepted codes disagree (%d and %d)", q->predict_code, code);
                else
                    q->predict_code = code;
            }
        }
        break;
    }
    if (c->failed)
        return;
    /* fields that belong to other kinds */
    bool choices =
        q->kind == LESSON_Q_SINGLE || q->kind == LESSON_Q_MULTI || q->kind == LESSON_Q_PREDICT;
    if (!choices)
        not_for(c, qo, qp, "choices", q->kind);
    if (q->kind == LESSON_Q_SHORT || q->kind == LESSON_Q_ORDER || q->kind == LESSON_Q_MATCH)
        not_for(c, qo, qp, "answer", q->kind);
    if (q->kind != LESSON_Q_SHORT && q->kind != LESSON_Q_PREDICT)
        not_for(c, qo, qp, "accept", q->kind);
    if (q->kind != LESSON_Q_ORDER)
        not_for(c, qo, qp, "items", q->kind);
    if (q->kind != LESSON_Q_MATCH)
        not_for(c, qo, qp, "pairs", q->kind);
    if (q->kind != LESSON_Q_PREDICT)
        not_for(c, qo, qp, "at", q->kind);
    load_why_not(c, qo, qp, q);
    if (!choices || !q->n_choices)
        not_for(c, qo, qp, "pin", q->kind);
    else
        load_pin(c, qo, qp, q);
    if (!c->failed && q->n_choices) {
        /* why_not for a right choice would tell the student a right answer is wrong */
        for (size_t i = 0; i < q->n_choices; i++) {
            bool right =
                (q->kind == LESSON_Q_MULTI) ? (q->answer_mask >> i) & 1u : (int)i + 1 == q->answer;
            if (right && q->why_not[i]) {
                json_path(ip, sizeof ip, qp, "why_not", 0);
                json_fail(c, json_path(fp, sizeof fp, ip, NULL, (long)i),
                          "choice %zu is a right answer: use null", i + 1);
                break;
            }
        }
    }
}

static void question_free(lesson_question *q)
{
    free(q->id);
    free(q->prompt);
    free(q->explanation);
    for (size_t i = 0; i < LESSON_MAX_CHOICES; i++) {
        free(q->choices[i]);
        free(q->why_not[i]);
    }
    for (size_t i = 0; i < LESSON_MAX_ACCEPT; i++)
        free(q->accept[i]);
    for (size_t i = 0; i < LESSON_MAX_ITEMS; i++) {
        free(q->items[i]);
        free(q->left[i]);
        free(q->right[i]);
    }
    free(q->at.scenario);
    free(q->at.reply_to);
    for (size_t i = 0; i < LESSON_MAX_REFS; i++)
        free(q->refs[i]);
    for (size_t i = 0; i < LESSON_MAX_TAGS; i++)
        free(q->tags[i]);
}

void lesson_free(lesson *l)
{
    if (!l)
        return;
    free(l->origin);
    free(l->id);
    free(l->title);
    for (size_t i = 0; i < LESSON_MAX_TOPICS; i++)
        free(l->topics[i]);
    free(l->intro);
    free(l->scenario);
    for (size_t i = 0; i < l->n_narration; i++)
        free(l->narration[i].text);
    free(l->narration);
    for (size_t i = 0; i < l->n_questions; i++)
        question_free(&l->questions[i]);
    free(l->questions);
    free(l);
}

static const char *const lesson_fields[] = {"id",       "title",     "version",   "topics", "intro",
                                            "scenario", "narration", "questions", NULL};

lesson *lesson_load_buffer(const char *origin, const char *buf, size_t len, char *err,
                           size_t errlen)
{
    errlist e = {err, errlen, 0, 0};
    if (err && errlen)
        err[0] = '\0';
    char perr[512];
    if (len > LESSON_MAX_FILE_BYTES) {
        snprintf(perr, sizeof perr, "%s: file larger than %d bytes", origin, LESSON_MAX_FILE_BYTES);
        err_add(&e, perr);
        return NULL;
    }
    cJSON *root = json_parse_buffer(origin, buf, len, perr, sizeof perr);
    if (!root) {
        err_add(&e, perr);
        return NULL;
    }
    lesson *l = calloc(1, sizeof *l);
    if (!l) {
        cJSON_Delete(root);
        snprintf(perr, sizeof perr, "%s: out of memory", origin);
        err_add(&e, perr);
        return NULL;
    }
    l->origin = dup_str(origin);
    json_check c;
    json_check_init(&c, origin);
    if (!cJSON_IsObject(root)) {
        json_fail(&c, "", "expected a lesson object { \"id\": ..., \"questions\": [...] }");
        goto done;
    }
    json_unknown_fields(&c, root, "", lesson_fields);
    const char *id = json_string(&c, root, "", "id", true, 48, "");
    if (!c.failed && !str_id_ok(id, strlen(id), 48))
        json_fail(&c, "id", "expected [a-z0-9-]+ (1-48 characters), got \"%.48s\"", id);
    l->id = dup_str(id);
    l->title = dup_str(json_string(&c, root, "", "title", true, 120, ""));
    l->version = (int)json_int(&c, root, "", "version", true, 1, 1000000, 1);
    string_array(&c, root, "", "topics", true, 1, LESSON_MAX_TOPICS, l->topics, &l->n_topics);
    l->intro = dup_str(json_string(&c, root, "", "intro", true, LESSON_MAX_TEXT, ""));
    const char *sc = json_string(&c, root, "", "scenario", false, 64, NULL);
    if (!c.failed && sc && !str_id_ok(sc, strlen(sc), 64))
        json_fail(&c, "scenario", "expected a scenario id [a-z0-9-]+");
    l->scenario = dup_str(sc);
    const cJSON *narr = json_array(&c, root, "", "narration", false, LESSON_MAX_NARRATION);
    if (narr && !l->scenario)
        json_fail(&c, "narration", "needs \"scenario\" (narration is bound to its steps)");
    if (narr && !c.failed) {
        size_t n = (size_t)cJSON_GetArraySize(narr);
        l->narration = calloc(n ? n : 1, sizeof *l->narration);
        long i = 0;
        static const char *const nf[] = {"step", "text", NULL};
        for (const cJSON *it = narr->child; it && l->narration && !c.failed; it = it->next, i++) {
            char np[64];
            json_path(np, sizeof np, "narration", NULL, i);
            if (!cJSON_IsObject(it)) {
                json_fail(&c, np, "expected {\"step\": N, \"text\": \"...\"}");
                break;
            }
            json_unknown_fields(&c, it, np, nf);
            long step = json_int(&c, it, np, "step", true, 0, 1000000, 0);
            const char *t = json_string(&c, it, np, "text", true, LESSON_MAX_TEXT, "");
            if (c.failed)
                break;
            l->narration[l->n_narration].step = step;
            l->narration[l->n_narration].text = dup_str(t);
            l->n_narration++;
        }
    }
    /* The questions are checked even after an error above, with their own checker: lint
     * shows a wrong "version" and a wrong answer in one run. */
    json_check qsc;
    json_check_init(&qsc, origin);
    const cJSON *qs = json_array(&qsc, root, "", "questions", true, LESSON_MAX_QUESTIONS);
    if (!qsc.failed && cJSON_GetArraySize(qs) < 1)
        json_fail(&qsc, "questions", "needs at least 1 question");
    if (qsc.failed) {
        if (c.failed)
            err_add(&e, c.err);
        c = qsc;
        goto done;
    }
    if (c.failed)
        err_add(&e, c.err);
    size_t nq = (size_t)cJSON_GetArraySize(qs);
    l->questions = calloc(nq, sizeof *l->questions);
    if (!l->questions) {
        json_fail(&c, "questions", "out of memory");
        goto done;
    }
    l->n_questions = nq;
    bool any_failed = false;
    long i = 0;
    for (const cJSON *qo = qs->child; qo; qo = qo->next, i++) {
        json_check qc;
        json_check_init(&qc, origin);
        char qp[64];
        json_path(qp, sizeof qp, "questions", NULL, i);
        lesson_question *q = &l->questions[i];
        q->index = (size_t)i;
        q->lesson = l;
        q->at.step = -1;
        load_question(&qc, qo, qp, q, l);
        if (!qc.failed && q->id) {
            for (long j = 0; j < i; j++)
                if (l->questions[j].id && !strcmp(l->questions[j].id, q->id)) {
                    char ip[80];
                    json_fail(&qc, json_path(ip, sizeof ip, qp, "id", 0),
                              "duplicate id \"%s\" (also questions[%ld])", q->id, j);
                    break;
                }
        }
        if (qc.failed) {
            err_add(&e, qc.err);
            any_failed = true;
        }
    }
    if (any_failed || c.failed) {
        cJSON_Delete(root);
        lesson_free(l);
        return NULL;
    }
done:
    cJSON_Delete(root);
    if (c.failed) {
        err_add(&e, c.err);
        lesson_free(l);
        return NULL;
    }
    return l;
}

lesson *lesson_load(const char *path, char *err, size_t errlen)
{
    char *buf;
    size_t n;
    if (file_read_all(path, LESSON_MAX_FILE_BYTES, &buf, &n) != 0) {
        if (err && errlen > 1) { /* the message, and the newline every line here ends in */
            file_read_error(err, errlen - 1, path, LESSON_MAX_FILE_BYTES, errno);
            strcat(err, "\n");
        }
        return NULL;
    }
    lesson *l = NULL;
    if (n == 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s:1:1: empty file\n", path);
    } else {
        l = lesson_load_buffer(path, buf, n, err, errlen);
    }
    free(buf);
    return l;
}

const lesson_question *lesson_find_question(const lesson *l, const char *id)
{
    for (size_t i = 0; l && id && i < l->n_questions; i++)
        if (l->questions[i].id && !strcmp(l->questions[i].id, id))
            return &l->questions[i];
    return NULL;
}
