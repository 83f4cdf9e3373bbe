/* lesson_status.h - the status a POP3 or IMAP reply carries, for predict-the-reply questions.
 *
 * SMTP replies are predicted by their three-digit code; POP3 and IMAP replies have none, so a
 * predict question on them names a status instead: a status word (+OK, -ERR, OK, NO, BAD, BYE,
 * PREAUTH), optionally with its response code ("-ERR [AUTH]", RFC 2449 8; "NO
 * [AUTHENTICATIONFAILED]", RFC 9051 7.1), or an untagged numeric response ("* 3 EXISTS", RFC 9051
 * 7.4). This module turns such text into one canonical key and compares keys. */
#ifndef SMTPSIM_LESSON_STATUS_H
#define SMTPSIM_LESSON_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/teach/lesson.h"
#include "core/teach/lesson_run.h"

#define LESSON_STATUS_MAX 48

/* lesson_status_parse - the canonical key of the status s starts with: "no [authenticationfailed]
 * wrong" gives "NO [AUTHENTICATIONFAILED]", "a3 NO [...] text" the same (an IMAP tag, letters and
 * digits, is skipped), "* OK [CAPABILITY IMAP4rev2] ready" gives "* OK [CAPABILITY]" (a response
 * code keeps its first atom), "* 3 exists" gives "* 3 EXISTS", "+ idling" gives "+". 0, or -1
 * when s starts with no status. */
int lesson_status_parse(const char *s, char *key, size_t keylen);

/* lesson_status_matches - whether a predicted key is right for the true key: the same word, and
 * the same response code when the prediction names one; tagged and untagged ("* OK") differ,
 * and untagged data ("* 1 EXISTS") must be equal. */
bool lesson_status_matches(const char *predicted, const char *truth);

/* lesson_status_accept - take one `accept` entry of a typed predict question as a status: 0 when
 * it is one and agrees with the entries before it (the most specific is kept in
 * q->predict_status), -1 otherwise. */
int lesson_status_accept(lesson_question *q, const char *text);

/* lesson_status_resolve - lesson_predict_resolve for a reply step s with no numeric code: set
 * q->predict_status from the step's line and check the answer (or the accepted statuses) agree,
 * and that no other choice is right too. 0, or -1 with "path: what" in err. */
int lesson_status_resolve(lesson_question *q, const lesson_step_view *steps, long s,
                          const char *qp, char *err, size_t errlen);

#endif
