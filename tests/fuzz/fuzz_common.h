/* fuzz_common.h - what every libFuzzer target under tests/fuzz shares: the invariant check that
 * aborts (so libFuzzer saves the input), the event check, and reading data files at start-up.
 *
 * A target is one fuzz_NAME.c with LLVMFuzzerTestOneInput; its seeds live in seeds/NAME/. Data
 * files (scenarios, lessons) are read relative to $SMTPSIM_DATA, else the current directory
 * (make fuzz runs from the repository root). Header-only: each target is one translation unit.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp/smtp_event.h"
#include "core/teach/explain.h"

/* fuzz_die - an invariant is broken: say which, and abort so the input is kept. */
static inline void fuzz_die(const char *why)
{
    fprintf(stderr, "fuzz invariant broken: %s\n", why);
    abort();
}

/* fuzz_check_event - the event contract of smtp_event.h: an explained key, an RFC string, and
 * bytes that can be read to their stated length. */
static inline void fuzz_check_event(const smtp_event *ev)
{
    if (!ev->key || !explain_find(ev->key))
        fuzz_die("event key without explanation");
    if (!ev->rfc)
        fuzz_die("event without rfc");
    if (ev->bytes == NULL && ev->len != 0)
        fuzz_die("length without bytes");
    if (ev->bytes && ev->len)
        (void)((volatile const char *)ev->bytes)[ev->len - 1];
    if (!memchr(ev->verb, '\0', sizeof ev->verb) || !memchr(ev->esc, '\0', sizeof ev->esc))
        fuzz_die("verb or esc not terminated");
}

/* fuzz_data_path - DIR/rel where DIR is $SMTPSIM_DATA or ".". */
static inline void fuzz_data_path(const char *rel, char *out, size_t cap)
{
    const char *dir = getenv("SMTPSIM_DATA");
    snprintf(out, cap, "%s/%s", dir && *dir ? dir : ".", rel);
}

/* fuzz_copy - the input as a NUL-terminated string (malloc'd; the caller frees). Inputs may hold
 * NUL bytes: the string then ends at the first one, as it would coming from a C API. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        fuzz_die("out of memory");
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
