/* explain_retr.h - explanation rows for the POP3 and IMAP engines' event keys.
 *
 * A second table beside explain.c's, searched by explain_find: use explain.h to look keys up.
 * This header only lets explain.c (and tests) walk the retrieval rows.
 */
#ifndef EXPLAIN_RETR_H
#define EXPLAIN_RETR_H

#include "core/teach/explain.h"

/* explain_retr_count / explain_retr_at - iterate the retrieval table (i out of range: NULL). */
int explain_retr_count(void);
const explain_entry *explain_retr_at(int i);

#endif
