/* str_util.h - small string checks and copies that several modules need alike (ids in scenario
 * and lesson files, mailbox domains, bounded copies into fixed buffers). */
#ifndef STR_UTIL_H
#define STR_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* str_id_ok - whether s is an id: 1 to max characters of [a-z0-9-] (scenario, lesson and
 * question ids; file names in lessons/ are ids too). */
bool str_id_ok(const char *s, size_t max);

#endif
