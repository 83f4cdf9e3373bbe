/* file_util.c - mkdir -p with private permissions. */
#include "core/util/file_util.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

int file_mkdirs(const char *path)
{
    char p[PATH_MAX];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(p, path, len + 1);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}
