/* file_util.h - small file-system helpers shared by every layer (progress, TLS keys, spools). */
#ifndef FILE_UTIL_H
#define FILE_UTIL_H

/* file_mkdirs - `mkdir -p`: create every missing directory of path with mode 0700 (what we
 * keep there is personal: progress, private keys, queued mail). 0, or -1 with errno set. */
int file_mkdirs(const char *path);

#endif
