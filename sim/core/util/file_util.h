/* file_util.h - small file-system helpers shared by every layer: mkdir -p (progress, TLS keys,
 * spools), reading a whole file under a size limit (scenarios, lessons, progress, JSON), and
 * listing the *.json files of a folder in one order (the content catalog). */
#ifndef FILE_UTIL_H
#define FILE_UTIL_H

#include <stddef.h>

/* file_mkdirs - `mkdir -p`: create every missing directory of path with mode 0700 (what we
 * keep there is personal: progress, private keys, queued mail). 0, or -1 with errno set. */
int file_mkdirs(const char *path);

/* file_read_all - the whole of path in *buf (malloc'd, NUL-terminated after *len bytes, so text
 * can be scanned; the caller frees it). At most max bytes: a larger file is refused before
 * more than max + 1 bytes are read. 0, or -1 with errno: that of open(), EFBIG (over max), EIO
 * (read error) or ENOMEM; *buf is NULL then. */
int file_read_all(const char *path, size_t max, char **buf, size_t *len);

/* file_json_names - the names of the *.json files in dir (hidden ones skipped), sorted by stem:
 * byte by byte, a stem that is a prefix of another first ("too-large" before
 * "too-large-local", which plain strcmp on the whole names would reverse). *names is one
 * malloc'd array of malloc'd strings (file_names_free). The count, 0 when dir is missing or
 * empty, -1 out of memory. */
long file_json_names(const char *dir, char ***names);
void file_names_free(char **names, long n);

#endif
