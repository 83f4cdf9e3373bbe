/* file_util.c - mkdir -p with private permissions, bounded whole-file reads, atomic writes,
 * *.json listings. */
#include "core/util/file_util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util/membuf.h"

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

int file_read_all(const char *path, size_t max, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    /* Grow as the file comes (a pipe or /proc file has no size to trust), but never past
     * max + 1 bytes: one more than allowed is how "too large" is told from "exactly max". */
    size_t cap = max < 64 * 1024 ? max + 1 : 64 * 1024, n = 0;
    char *b = malloc(cap + 1);
    int e = b ? 0 : ENOMEM;
    while (!e) {
        n += fread(b + n, 1, cap - n, f);
        if (ferror(f))
            e = EIO;
        else if (n > max)
            e = EFBIG;
        else if (n < cap)
            break; /* end of file */
        else {
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(b, ncap + 1);
            if (!nb)
                e = ENOMEM;
            else {
                b = nb;
                cap = ncap;
            }
        }
    }
    fclose(f);
    if (e) {
        free(b);
        errno = e;
        return -1;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

void file_read_error(char *err, size_t errlen, const char *path, size_t max, int e)
{
    if (e == EFBIG)
        snprintf(err, errlen, "%s: file larger than %zu bytes", path, max);
    else if (e == EIO)
        snprintf(err, errlen, "%s: read error", path);
    else if (e == ENOMEM)
        snprintf(err, errlen, "%s: out of memory", path);
    else
        snprintf(err, errlen, "%s: %s", path, strerror(e));
}

int file_atomic_open(file_atomic *a, const char *path, int mode)
{
    memset(a, 0, sizeof *a);
    a->failed = "create a temporary file";
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path ||
        snprintf(a->tmp, sizeof a->tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof a->tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(a->tmp);
    if (fd < 0)
        return -1;
    mode_t mask = umask(077); /* read and put back: mkstemp's 0600 ignores it, open() would not */
    umask(mask);
    if (fchmod(fd, (mode_t)mode & ~mask) != 0 || !(a->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        errno = e;
        return -1;
    }
    a->failed = NULL;
    return 0;
}

/* fsync_dir - the folder of path, so that a rename in it survives a power loss. */
static void fsync_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse it, and the data is already safe */
        close(fd);
    }
}

int file_atomic_commit(file_atomic *a)
{
    int e = 0;
    errno = 0;
    a->failed = "write";
    if (!a->f) {
        e = EBADF;
    } else {
        if (fflush(a->f) != 0 || ferror(a->f)) {
            e = errno ? errno : EIO;
        } else {
            a->failed = "flush to disk";
            if (fsync(fileno(a->f)) != 0)
                e = errno;
        }
        if (fclose(a->f) != 0 && !e)
            e = errno;
        a->f = NULL;
    }
    if (!e) {
        a->failed = "replace the file";
        if (rename(a->tmp, a->path) != 0)
            e = errno;
    }
    if (e) {
        unlink(a->tmp);
        errno = e;
        return -1;
    }
    fsync_dir(a->path);
    a->failed = NULL;
    return 0;
}

void file_atomic_abort(file_atomic *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}

int file_write_atomic(const char *path, const void *data, size_t len, int mode,
                      const char **failed)
{
    file_atomic a;
    int rc = file_atomic_open(&a, path, mode);
    if (rc == 0)
        errno = 0; /* fwrite may fail without setting it */
    if (rc == 0 && fwrite(data, 1, len, a.f) != len) {
        int e = errno ? errno : EIO;
        a.failed = "write";
        file_atomic_abort(&a);
        errno = e;
        rc = -1;
    } else if (rc == 0) {
        rc = file_atomic_commit(&a);
    }
    if (failed)
        *failed = a.failed;
    return rc;
}

/* cmp_stem - order "NAME.json" by NAME (see file_json_names). */
static int cmp_stem(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = strlen(x) - 5, ly = strlen(y) - 5; /* every name ends in ".json" */
    int c = strncmp(x, y, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

long file_json_names(const char *dir, char ***names)
{
    *names = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= 5 || strcmp(e->d_name + l - 5, ".json") || e->d_name[0] == '.')
            continue;
        char **nv = membuf_grow_array(v, &cap, n + 1, sizeof *nv);
        if (!nv)
            goto fail;
        v = nv;
        if (!(v[n] = strdup(e->d_name)))
            goto fail;
        n++;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, cmp_stem);
    *names = v;
    return (long)n;
fail:
    closedir(d);
    file_names_free(v, (long)n);
    return -1;
}

/* file_names_free - what file_json_names gave; NULL is fine. */
void file_names_free(char **names, long n)
{
    for (long i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}
