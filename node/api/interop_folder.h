/*
 * interop_folder — the exchange folder of offline sites (信息互通): every
 * [interop] drop_scan_s the loop looks in <drop_dir>/<system>/ of each configured system
 * for *.json files, each one work order, and takes them one at a time through
 * api_interop_take (the same rules as the signed API; the folder's access is its
 * authentication). A taken order's file moves to <system>/done/, a refused one to
 * <system>/refused/ with <file>.error beside it naming what was wrong (and the order is in
 * the refused list); on a store error the file stays and is tried at the next look.
 * Files are small (at most 1 MiB) and read on the loop.
 */
#ifndef JIEFEN_INTEROP_FOLDER_H
#define JIEFEN_INTEROP_FOLDER_H

#include "api/api.h"
#include "config_interop.h"

#include <uv.h>

typedef struct interop_folder interop_folder;

/* Starts looking (nothing when cfg has no drop_dir: *out NULL). 0 or -ENOMEM. */
int interop_folder_start(uv_loop_t *loop, struct api *api, const struct config_interop *cfg,
                         interop_folder **out);

/* Stops (closing its timer on the loop) and frees. Accepts NULL; clears the pointer. */
void interop_folder_stop(interop_folder **f);

#endif
