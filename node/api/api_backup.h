/*
 * api_backup — the API's side of backups: the route POST /api/v1/backup (api_routes.h) and
 * the "backup" object of GET /api/v1/status (docs/api.md).
 */
#ifndef JIEFEN_API_BACKUP_H
#define JIEFEN_API_BACKUP_H

#include "api/api_core.h"

/* {running, restored, dir, every_minutes, keep[, last_time_ms, last_bytes, last_path,
 * last_error]}, read in txn; NULL when out of memory. The caller owns it. */
json_t *api_backup_status(struct api *api, MDB_txn *txn);

#endif
