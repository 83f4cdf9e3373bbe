/* json_load.c - JSON files from untrusted sources: limits, UTF-8, positions, typed fields. */
#include "core/util/json_load.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/file_util.h"
#include "core/util/utf8.h"

/* line_col - 1-based line and column of byte offset off (columns count bytes). */
static void line_col(const char *buf, size_t len, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* depth_ok - cJSON allows 1000 levels; we allow JSON_LOAD_MAX_DEPTH, checked on the text so a
 * deep file is refused before cJSON recurses into it. Strings are skipped. */
static bool depth_ok(const char *buf, size_t len, size_t *where)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > JSON_LOAD_MAX_DEPTH) {
                *where = i;
                return false;
            }
        } else if (ch == ']' || ch == '}') {
            depth--;
        }
    }
    return true;
}

cJSON *json_parse_buffer(const char *origin, const char *buf, size_t len, char *err, size_t errlen)
{
    int line, col;
    size_t bad = 0;
    if (!utf8_valid(buf, len, &bad)) {
        line_col(buf, len, bad, &line, &col);
        snprintf(err, errlen, "%s:%d:%d: invalid UTF-8", origin, line, col);
        return NULL;
    }
    if (memchr(buf, '\0', len)) {
        size_t at = (size_t)((const char *)memchr(buf, '\0', len) - buf);
        line_col(buf, len, at, &line, &col);
        snprintf(err, errlen, "%s:%d:%d: NUL byte in a text file", origin, line, col);
        return NULL;
    }
    if (!depth_ok(buf, len, &bad)) {
        line_col(buf, len, bad, &line, &col);
        snprintf(err, errlen, "%s:%d:%d: nested deeper than %d levels", origin, line, col,
                 JSON_LOAD_MAX_DEPTH);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!root) {
        size_t off = end ? (size_t)(end - buf) : 0;
        line_col(buf, len, off, &line, &col);
        if (off >= len)
            snprintf(err, errlen, "%s:%d:%d: JSON ends too early (unclosed string, array or object?)",
                     origin, line, col);
        else /* the buffer need not end in NUL: quote at most what is left of it */
            snprintf(err, errlen, "%s:%d:%d: JSON syntax error near '%.*s'", origin, line, col,
                     (int)(len - off < 12 ? len - off : 12), buf + off);
        /* never print control bytes from the file */
        for (char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
        return NULL;
    }
    /* trailing garbage after the value */
    size_t off = (size_t)(end - buf);
    while (off < len && (buf[off] == ' ' || buf[off] == '\t' || buf[off] == '\r' || buf[off] == '\n'))
        off++;
    if (off < len) {
        line_col(buf, len, off, &line, &col);
        snprintf(err, errlen, "%s:%d:%d: unexpected text after the JSON value", origin, line, col);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

cJSON *json_load_file(const char *path, size_t max_bytes, char *err, size_t errlen)
{
    if (max_bytes == 0 || max_bytes > JSON_LOAD_MAX_BYTES)
        max_bytes = JSON_LOAD_MAX_BYTES;
    char *buf;
    size_t n;
    if (file_read_all(path, max_bytes, &buf, &n) != 0) {
        file_read_error(err, errlen, path, max_bytes, errno);
        return NULL;
    }
    cJSON *root = NULL;
    if (n == 0)
        snprintf(err, errlen, "%s:1:1: empty file", path);
    else
        root = json_parse_buffer(path, buf, n, err, errlen);
    free(buf);
    return root;
}

void json_check_init(json_check *c, const char *origin)
{
    c->origin = origin ? origin : "";
    c->failed = false;
    c->err[0] = '\0';
}

void json_fail(json_check *c, const char *path, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path && *path)
        snprintf(c->err, sizeof c->err, "%s: %s: %s", c->origin, path, msg);
    else
        snprintf(c->err, sizeof c->err, "%s: %s", c->origin, msg);
}

const char *json_path(char *buf, size_t cap, const char *base, const char *field, long index)
{
    if (field)
        snprintf(buf, cap, "%s%s%s", base && *base ? base : "", base && *base ? "." : "", field);
    else
        snprintf(buf, cap, "%s[%ld]", base ? base : "", index);
    return buf;
}

static const cJSON *member(json_check *c, const cJSON *obj, const char *path, const char *field,
                           bool required, char *fpath, size_t cap)
{
    json_path(fpath, cap, path, field, 0);
    if (c->failed || !obj)
        return NULL;
    if (!cJSON_IsObject(obj)) {
        json_fail(c, path, "expected an object");
        return NULL;
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!m && required)
        json_fail(c, fpath, "missing (required)");
    return m;
}

/* typed_member - obj's field when it is there and of the type `is` tells; NULL when it is
 * absent (an error when required) or of another type (the error "expected WANT"). */
static const cJSON *typed_member(json_check *c, const cJSON *obj, const char *path,
                                 const char *field, bool required, cJSON_bool (*is)(const cJSON *),
                                 const char *want, char *fp, size_t cap)
{
    const cJSON *m = member(c, obj, path, field, required, fp, cap);
    if (m && !is(m)) {
        json_fail(c, fp, "expected %s", want);
        return NULL;
    }
    return m;
}

const char *json_string(json_check *c, const cJSON *obj, const char *path, const char *field,
                        bool required, size_t maxlen, const char *def)
{
    char fp[256];
    const cJSON *m =
        typed_member(c, obj, path, field, required, cJSON_IsString, "a string", fp, sizeof fp);
    if (m && !m->valuestring)
        json_fail(c, fp, "expected a string");
    if (!m || !m->valuestring)
        return def;
    if (maxlen && strlen(m->valuestring) > maxlen) {
        json_fail(c, fp, "longer than %zu bytes", maxlen);
        return def;
    }
    return m->valuestring;
}

long json_int(json_check *c, const cJSON *obj, const char *path, const char *field, bool required,
              long min, long max, long def)
{
    char fp[256];
    const cJSON *m = member(c, obj, path, field, required, fp, sizeof fp);
    if (!m)
        return def;
    double d = cJSON_IsNumber(m) ? m->valuedouble : 0;
    /* range first: converting a double outside long's range (1e300) is undefined behaviour */
    if (!cJSON_IsNumber(m) || d < (double)min || d > (double)max || d < (double)LONG_MIN ||
        d >= -(double)LONG_MIN || d != (double)(long)d) {
        json_fail(c, fp, "expected an integer %ld-%ld", min, max);
        return def;
    }
    return (long)d;
}

bool json_bool(json_check *c, const cJSON *obj, const char *path, const char *field, bool def)
{
    char fp[256];
    const cJSON *m =
        typed_member(c, obj, path, field, false, cJSON_IsBool, "true or false", fp, sizeof fp);
    return m ? cJSON_IsTrue(m) : def;
}

const cJSON *json_array(json_check *c, const cJSON *obj, const char *path, const char *field,
                        bool required, size_t max_items)
{
    char fp[256];
    const cJSON *m =
        typed_member(c, obj, path, field, required, cJSON_IsArray, "an array", fp, sizeof fp);
    if (m && max_items && (size_t)cJSON_GetArraySize(m) > max_items) {
        json_fail(c, fp, "more than %zu items", max_items);
        return NULL;
    }
    return m;
}

const cJSON *json_object(json_check *c, const cJSON *obj, const char *path, const char *field,
                         bool required)
{
    char fp[256];
    return typed_member(c, obj, path, field, required, cJSON_IsObject, "an object", fp, sizeof fp);
}

void json_unknown_fields(json_check *c, const cJSON *obj, const char *path, const char *const *known)
{
    if (c->failed || !cJSON_IsObject(obj))
        return;
    for (const cJSON *m = obj->child; m; m = m->next) {
        bool ok = false;
        for (const char *const *k = known; *k; k++)
            if (m->string && strcmp(m->string, *k) == 0)
                ok = true;
        if (!ok) {
            char fp[256];
            json_fail(c, json_path(fp, sizeof fp, path, m->string ? m->string : "?", 0),
                      "unknown field");
            return;
        }
    }
}

/* json_item_object - one object of an array, its members checked (see json_load.h) */
const cJSON *json_item_object(json_check *c, const cJSON *arr, int i, const char *path,
                              const char *const *known)
{
    const cJSON *o = cJSON_GetArrayItem(arr, i);
    if (!cJSON_IsObject(o)) {
        json_fail(c, path, "expected an object");
        return NULL;
    }
    if (known) {
        json_unknown_fields(c, o, path, known);
        if (c->failed)
            return NULL;
    }
    return o;
}
