/* fuzz_progress.c - libFuzzer target for the progress loader (the learner's saved file).
 *
 * The input is a progress file. A refused one must come with a message. An accepted one must be
 * consistent (every entry found by its id, boxes in range) and keep working: answers are
 * recorded against its entries and a new one, and the schedule is asked. No file is written.
 */
#include <stdint.h>
#include <string.h>

#include "core/teach/progress.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    err[0] = '\0';
    progress *p = progress_load_buffer("fuzz.json", (const char *)data, size, err, sizeof err);
    if (!p) {
        if (!err[0] || !memchr(err, '\0', sizeof err))
            fuzz_die("progress refused without a message");
        return 0;
    }
    int64_t now = 1764000000;
    size_t n = progress_count(p);
    for (size_t i = 0; i < n && i < 64; i++) {
        const progress_entry *e = progress_at(p, i);
        if (!e || !memchr(e->id, '\0', sizeof e->id) || progress_get(p, e->id) != e)
            fuzz_die("entry not found by its id");
        if (e->box < 1 || e->box > PROGRESS_BOXES)
            fuzz_die("box out of range");
        (void)progress_is_due(p, e->id, now);
        (void)progress_interval(e->box);
        char id[sizeof e->id];
        memcpy(id, e->id, sizeof id);
        progress_record(p, id, (i & 1) != 0, e->last > now ? e->last : now);
    }
    if (!progress_get(p, "fuzz-new-question") && n < PROGRESS_MAX_ENTRIES) {
        progress_record(p, "fuzz-new-question", true, now);
        const progress_entry *e = progress_get(p, "fuzz-new-question");
        if (!e || e->box != 2)
            fuzz_die("a first right answer does not land in box 2");
    }
    progress_free(p);
    return 0;
}
