/* file_util.h - small file-system helpers shared by every layer: mkdir -p (progress, TLS keys,
 * spools), reading a whole file under a size limit (scenarios, lessons, progress, JSON),
 * writing a file atomically (progress, exports, TLS keys), and listing the *.json files of a
 * folder in one order (the content catalog). */
#ifndef FILE_UTIL_H
#define FILE_UTIL_H

#include <limits.h>
#include <stdio.h>
#include <stddef.h>

/* file_mkdirs - `mkdir -p`: create every missing directory of path with mode 0700 (what we
 * keep there is personal: progress, private keys, queued mail). 0, or -1 with errno set. */
int file_mkdirs(const char *path);

/* file_read_all - the whole of path in *buf (malloc'd, NUL-terminated after *len bytes, so text
 * can be scanned; the caller frees it). At most max bytes: a larger file is refused before
 * more than max + 1 bytes are read. 0, or -1 with errno: that of open(), EFBIG (over max), EIO
 * (read error) or ENOMEM; *buf is NULL then. */
int file_read_all(const char *path, size_t max, char **buf, size_t *len);

/* file_read_error - the message for file_read_all's failure e (errno) on path, one line
 * without a newline: "PATH: file larger than MAX bytes", "PATH: read error",
 * "PATH: out of memory", or "PATH: " and strerror(e). */
void file_read_error(char *err, size_t errlen, const char *path, size_t max, int e);

/* An atomic write: the data goes to a temporary file in the target's folder, which replaces
 * the target only once it is complete and on disk (fsync, rename, fsync of the folder, so a
 * crash leaves the old file or the new one, never half of either). The caller writes to a.f. */
typedef struct {
    char path[PATH_MAX]; /* the target */
    char tmp[PATH_MAX];  /* PATH.tmp-XXXXXX */
    FILE *f;             /* open on tmp until commit or abort */
    const char *failed;  /* after -1: what failed, for messages ("write", "replace the file") */
} file_atomic;

/* file_atomic_open - create the temporary file with the given mode, less the umask as open()
 * does (0600 for personal files, 0644 for exports). 0, or -1 with errno and a->failed. */
int file_atomic_open(file_atomic *a, const char *path, int mode);

/* file_atomic_commit - flush, fsync and close the temporary file, rename it over the target and
 * fsync the folder. 0, or -1 with errno and a->failed (the temporary file is removed). */
int file_atomic_commit(file_atomic *a);

/* file_atomic_abort - close and remove the temporary file; the target is untouched. */
void file_atomic_abort(file_atomic *a);

/* file_write_atomic - len bytes of data as the new content of path, all of the above at once.
 * 0, or -1 with errno; *failed (when not NULL) says which step. */
int file_write_atomic(const char *path, const void *data, size_t len, int mode,
                      const char **failed);

/* file_json_names - the names of the *.json files in dir (hidden ones skipped), sorted by stem:
 * byte by byte, a stem that is a prefix of another first ("too-large" before
 * "too-large-local", which plain strcmp on the whole names would reverse). *names is one
 * malloc'd array of malloc'd strings (file_names_free). The count, 0 when dir is missing or
 * empty, -1 out of memory. */
long file_json_names(const char *dir, char ***names);
void file_names_free(char **names, long n);

#endif
