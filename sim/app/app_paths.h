/* app_paths.h - where smtpsim finds its data (lessons/, assets/) and keeps the user's files. */
#ifndef APP_PATHS_H
#define APP_PATHS_H

#include <stddef.h>

/* app_data_dir - the directory holding lessons/ and assets/: $SMTPSIM_DATA if set, else the
 * directory above the executable's own (build/smtpsim -> .), else the current directory. */
const char *app_data_dir(void);

/* app_user_data_dir - $XDG_DATA_HOME/smtpsim or ~/.local/share/smtpsim (not created here). */
int app_user_data_dir(char *out, size_t outlen);

#endif
