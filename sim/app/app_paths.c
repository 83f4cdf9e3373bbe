/* app_paths.c - locating the data directory and the user's data directory. */
#include "app/app_paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int has_lessons(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    if (snprintf(p, sizeof p, "%s/lessons", dir) >= (int)sizeof p)
        return 0;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *app_data_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0])
        return dir;
    const char *env = getenv("SMTPSIM_DATA");
    if (env && *env && strlen(env) < sizeof dir) {
        strcpy(dir, env);
        return dir;
    }
    /* The binary lives in build/ or build/asan/: walk up from it until lessons/ appears. */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 4; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash || slash == exe)
                break;
            *slash = '\0';
            if (has_lessons(exe)) {
                strcpy(dir, exe);
                return dir;
            }
        }
    }
    strcpy(dir, ".");
    return dir;
}

int app_user_data_dir(char *out, size_t outlen)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    int n;
    if (xdg && xdg[0] == '/') {
        n = snprintf(out, outlen, "%s/smtpsim", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return -1;
        n = snprintf(out, outlen, "%s/.local/share/smtpsim", home);
    }
    return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}
