/* scenario_fork.c - a what-if fork as a new scenario file (see scenario_fork.h).
 *
 * We edit the scenario's own JSON text (scenario_source) rather than re-serialise the loaded
 * spec, so the author's fields, order and defaults survive; only id, title, description
 * and faults change.
 */
#include "core/world/scenario_fork.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#define TITLE_MAX 120 /* the scenario loader's limit on "title" (scenario.c) */

void scenario_fork_id(const char *file, const char *orig_id, char *out, size_t cap)
{
    if (file) {
        const char *base = strrchr(file, '/');
        base = base ? base + 1 : file;
        size_t n = strcspn(base, ".");
        if (scenario_syntax_id(base, n, SCENARIO_FORK_MAX_ID)) {
            snprintf(out, cap, "%.*s", (int)n, base);
            return;
        }
    }
    /* "-fork" is 5 characters: keep the whole id within the limit */
    snprintf(out, cap, "%.*s-fork", SCENARIO_FORK_MAX_ID - 5, orig_id ? orig_id : "scenario");
}

/* same_reply_fault - f is a "reply" fault on the same server, verb and nth as ours. */
static bool same_reply_fault(const cJSON *f, const char *node_id, const char *verb, int nth)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(f, "kind");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(f, "node");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "verb");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "nth");
    int tn = cJSON_IsNumber(t) ? t->valueint : 1; /* FORMAT.md: nth defaults to 1 */
    return cJSON_IsString(k) && !strcmp(k->valuestring, "reply") && cJSON_IsString(n) &&
           !strcmp(n->valuestring, node_id) && cJSON_IsString(v) &&
           !strcasecmp(v->valuestring, verb) && tn == nth;
}

/* set_string - root[field] = value, replacing the field in place or adding it. 0 or -1. */
static int set_string(cJSON *root, const char *field, const char *value)
{
    cJSON *v = cJSON_CreateString(value);
    if (v && (cJSON_GetObjectItemCaseSensitive(root, field)
                  ? cJSON_ReplaceItemInObjectCaseSensitive(root, field, v)
                  : cJSON_AddItemToObject(root, field, v)))
        return 0;
    cJSON_Delete(v);
    return -1;
}

/* utf8_fit - how many bytes of s, at most max, end on a character boundary. */
static int utf8_fit(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    if (s[n] != '\0') /* cut inside the string: back off to the start of a character */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    return (int)n;
}

char *scenario_fork_json(const scenario *sc, const world *orig, size_t at, const char *reply,
                         const char *new_id, char *err, size_t errlen)
{
    const char *node_id = NULL;
    char verb[16];
    int nth = 0, code = 0;
    char esc[16], text[200];
    if (!sc || !orig || !reply || !new_id) {
        snprintf(err, errlen, "nothing to fork");
        return NULL;
    }
    if (!scenario_syntax_id(new_id, strlen(new_id), SCENARIO_FORK_MAX_ID)) {
        snprintf(err, errlen, "'%s' is not a scenario id (1-%d of a-z, 0-9, -)", new_id,
                 SCENARIO_FORK_MAX_ID);
        return NULL;
    }
    if (scenario_parse_reply(reply, &code, esc, text) != 0) {
        snprintf(err, errlen, "'%s' is not a reply (a code 200-599, then text)", reply);
        return NULL;
    }
    if (world_reply_fault_for_step(orig, at, &node_id, verb, &nth) != 0) {
        snprintf(err, errlen, "step %zu is not a server reply", at);
        return NULL;
    }
    size_t len = 0;
    const char *src = scenario_source(sc, &len);
    cJSON *root = src ? cJSON_ParseWithLength(src, len) : NULL;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(err, errlen, "the scenario's source is not available");
        return NULL;
    }
    /* The loader takes a title of at most TITLE_MAX bytes of valid UTF-8: every part is cut on
     * a character boundary, and long ones are shortened (the scenario's title first). */
    const char *st = scenario_title(sc);
    int nn = utf8_fit(node_id, 30), rn = utf8_fit(reply, 60), tn = utf8_fit(st, 60);
    const size_t fixed = sizeof "What if  answered \"\"? ()" - 1;
    while (fixed + (size_t)(nn + rn + tn) > TITLE_MAX && tn > 0)
        tn = utf8_fit(st, (size_t)tn - 1);
    while (fixed + (size_t)(nn + rn + tn) > TITLE_MAX && rn > 0)
        rn = utf8_fit(reply, (size_t)rn - 1);
    char title[200];
    snprintf(title, sizeof title, "What if %.*s answered \"%.*s\"? (%.*s)", nn, node_id, rn, reply,
             tn, st);
    /* the description says what the fork changed, then what the original was about: a
     * picker or `list` showing the old text alone would describe another story (cut on
     * character boundaries, under the loader's 2000-byte limit) */
    const world_step *rs = world_step_at(orig, at);
    const char *was = rs && rs->text ? rs->text : "?", *od = scenario_description(sc);
    char desc[1900];
    snprintf(desc, sizeof desc,
             "What if: at step %zu %s (%s) answered \"%.*s\" instead of \"%.*s\"; the engines "
             "play out the rest (reply fault %d to %s). Forked from '%s': %.*s",
             at, node_id, rs ? world_node_at(orig, (size_t)rs->from)->host : "?", rn, reply,
             utf8_fit(was, 120), was, nth, verb, scenario_id(sc), utf8_fit(od, 1400), od);
    char *out = NULL;
    cJSON *faults = cJSON_GetObjectItemCaseSensitive(root, "faults");
    cJSON *f = cJSON_CreateObject();
    if (!f || !cJSON_AddStringToObject(f, "kind", "reply") ||
        !cJSON_AddStringToObject(f, "node", node_id) || !cJSON_AddStringToObject(f, "verb", verb) ||
        !cJSON_AddNumberToObject(f, "nth", nth) || !cJSON_AddStringToObject(f, "reply", reply))
        goto fail;
    if (!cJSON_ReplaceItemInObjectCaseSensitive(root, "id", cJSON_CreateString(new_id)))
        goto fail;
    if (set_string(root, "title", title) != 0 || set_string(root, "description", desc) != 0)
        goto fail;
    if (!faults) {
        faults = cJSON_AddArrayToObject(root, "faults");
        if (!faults)
            goto fail;
    } else {
        for (int i = cJSON_GetArraySize(faults) - 1; i >= 0; i--)
            if (same_reply_fault(cJSON_GetArrayItem(faults, i), node_id, verb, nth))
                cJSON_DeleteItemFromArray(faults, i);
    }
    cJSON_AddItemToArray(faults, f);
    f = NULL; /* owned by root now */
    char *text_out = cJSON_Print(root);
    if (!text_out)
        goto fail;
    size_t n = strlen(text_out);
    out = malloc(n + 2);
    if (out) {
        memcpy(out, text_out, n);
        out[n] = '\n';
        out[n + 1] = '\0';
    }
    free(text_out);
    if (!out)
        goto fail;
    cJSON_Delete(root);
    return out;
fail:
    cJSON_Delete(f);
    cJSON_Delete(root);
    snprintf(err, errlen, "out of memory");
    return NULL;
}
