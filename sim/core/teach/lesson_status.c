/* lesson_status.c - canonical status keys of POP3 and IMAP replies for predict questions: the
 * grading and lint compare keys, never raw text, so "no", "NO" and "a3 NO [...] text" agree. */
#include "core/teach/lesson_status.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The words a POP3 (RFC 1939 3) or IMAP (RFC 9051 7.1, 7.5) status begins with; "+" is IMAP's
 * continuation request (RFC 9051 7.6). */
static const char *const status_words[] = {"+OK", "-ERR", "OK", "NO", "BAD", "BYE", "PREAUTH", "+"};

/* word_len - length of the run of non-blank characters at s */
static size_t word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && !isspace((unsigned char)s[n]))
        n++;
    return n;
}

/* skip_blanks - s past spaces and tabs */
static const char *skip_blanks(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* put - append n characters of s upper-cased to key at *at, within keylen */
static int put(char *key, size_t keylen, size_t *at, const char *s, size_t n)
{
    if (*at + n + 1 > keylen)
        return -1;
    for (size_t i = 0; i < n; i++)
        key[(*at)++] = (char)toupper((unsigned char)s[i]);
    key[*at] = '\0';
    return 0;
}

/* is_tag - whether the n characters at s look like an IMAP tag ("a1", "A0042"): letters and
 * digits with at least one of each, so neither a word of prose ("Only") nor an SMTP code ("250")
 * is taken for one */
static bool is_tag(const char *s, size_t n)
{
    bool digit = false, alpha = false;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && s[i] != '.')
            return false;
        digit |= isdigit((unsigned char)s[i]) != 0;
        alpha |= isalpha((unsigned char)s[i]) != 0;
    }
    return digit && alpha;
}

/* status_at - append the key of the status word at s (and the first atom of its response code) */
static int status_at(const char *s, char *key, size_t keylen, size_t *at)
{
    size_t n = word_len(s);
    /* a trailing comma, colon or full stop in prose ("NO, because") is not part of the word */
    while (n > 1 && (s[n - 1] == ',' || s[n - 1] == '.' || s[n - 1] == ':'))
        n--;
    size_t w, nw = sizeof status_words / sizeof status_words[0];
    for (w = 0; w < nw; w++)
        if (strlen(status_words[w]) == n && !strncasecmp(s, status_words[w], n))
            break;
    if (w == nw || put(key, keylen, at, s, n))
        return -1;
    const char *p = skip_blanks(s + n);
    if (*p == '[' && w < nw - 1) {
        size_t cn = 1;
        while (p[cn] && p[cn] != ']' && !isspace((unsigned char)p[cn]))
            cn++;
        if (put(key, keylen, at, " ", 1) || put(key, keylen, at, p, cn) ||
            put(key, keylen, at, "]", 1))
            return -1;
    }
    return 0;
}

int lesson_status_parse(const char *s, char *key, size_t keylen)
{
    size_t at = 0;
    if (!s || !key || keylen < 2)
        return -1;
    key[0] = '\0';
    s = skip_blanks(s);
    size_t n = word_len(s);
    if (n == 1 && s[0] == '*') {
        /* untagged: "* 3 EXISTS" is data (RFC 9051 7.4); "* OK [...]", "* BYE" are statuses */
        const char *p = skip_blanks(s + 1);
        size_t dn = word_len(p);
        if (dn && isdigit((unsigned char)*p)) {
            const char *w = skip_blanks(p + dn);
            size_t wn = word_len(w);
            while (wn && !isalpha((unsigned char)w[wn - 1]))
                wn--; /* "FETCH" of "FETCH (FLAGS ...)", "EXISTS," of prose */
            for (size_t i = 0; i < dn; i++)
                if (!isdigit((unsigned char)p[i]))
                    return -1;
            if (!wn || put(key, keylen, &at, "* ", 2) || put(key, keylen, &at, p, dn) ||
                put(key, keylen, &at, " ", 1) || put(key, keylen, &at, w, wn))
                return -1;
            return 0;
        }
        if (put(key, keylen, &at, "* ", 2))
            return -1;
        return status_at(p, key, keylen, &at);
    }
    if (status_at(s, key, keylen, &at) == 0)
        return 0;
    /* a tagged IMAP reply: the status follows the tag (RFC 9051 2.2.1) */
    at = 0;
    if (!is_tag(s, n))
        return -1;
    return status_at(skip_blanks(s + n), key, keylen, &at);
}

bool lesson_status_matches(const char *predicted, const char *truth)
{
    if (!predicted || !truth || !predicted[0] || !truth[0])
        return false;
    bool pu = predicted[0] == '*', tu = truth[0] == '*';
    if (pu != tu)
        return false; /* a tagged "a1 OK" is not the untagged "* OK" */
    if (pu && isdigit((unsigned char)predicted[2]))
        return !strcmp(predicted, truth);
    size_t pw = strcspn(predicted, " ["), tw = strcspn(truth, " [");
    if (pu) { /* compare the words after "* " */
        pw = 2 + strcspn(predicted + 2, " [");
        tw = 2 + strcspn(truth + 2, " [");
    }
    if (pw != tw || strncmp(predicted, truth, pw))
        return false;
    return !predicted[pw] || !strcmp(predicted + pw, truth + tw);
}

int lesson_status_accept(lesson_question *q, const char *text)
{
    char key[LESSON_STATUS_MAX];
    if (q->predict_code || lesson_status_parse(text, key, sizeof key) != 0)
        return -1;
    if (!q->predict_status[0] || lesson_status_matches(q->predict_status, key))
        snprintf(q->predict_status, sizeof q->predict_status, "%s", key);
    else if (!lesson_status_matches(key, q->predict_status))
        return -1;
    return 0;
}

int lesson_status_resolve(lesson_question *q, const lesson_step_view *steps, long s,
                          const char *qp, char *err, size_t errlen)
{
    char truth[LESSON_STATUS_MAX], k[LESSON_STATUS_MAX];
    if (lesson_status_parse(steps[s].text, truth, sizeof truth) != 0) {
        snprintf(err, errlen, "%s.at: step %ld (%.40s) carries no reply code or status", qp, s,
                 steps[s].text ? steps[s].text : "?");
        return -1;
    }
    int rc = 0;
    if (q->n_choices && q->answer > 0) {
        const char *right = q->choices[q->answer - 1];
        if (lesson_status_parse(right, k, sizeof k) != 0 || !lesson_status_matches(k, truth)) {
            snprintf(err, errlen, "%s.answer: choice %d says \"%.30s\" but the scenario replies %s "
                     "at step %ld", qp, q->answer, right, truth, s);
            rc = -1;
        }
        /* a second right choice would mark a right student wrong */
        for (size_t i = 0; i < q->n_choices && rc == 0; i++)
            if ((int)i + 1 != q->answer && lesson_status_parse(q->choices[i], k, sizeof k) == 0 &&
                lesson_status_matches(k, truth)) {
                snprintf(err, errlen, "%s.choices[%zu]: \"%.30s\" is right too (the scenario "
                         "replies %s at step %ld)", qp, i, q->choices[i], truth, s);
                rc = -1;
            }
    } else if (q->predict_code || (q->predict_status[0] &&
                                   !lesson_status_matches(q->predict_status, truth))) {
        snprintf(err, errlen, "%s.accept: says \"%.30s\" but the scenario replies %s at step %ld",
                 qp, q->n_accept ? q->accept[0] : "?", truth, s);
        rc = -1;
    }
    q->predict_code = 0;
    snprintf(q->predict_status, sizeof q->predict_status, "%s", truth);
    return rc;
}
