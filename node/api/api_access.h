/*
 * api_access — the record of who saw what and the approvals to copy, print or archive, as
 * the API shows them (api_access.c; the domain is case/access.h): names for people, never
 * codes alone.
 */
#ifndef JIEFEN_API_ACCESS_H
#define JIEFEN_API_ACCESS_H

#include "api/api_core.h"

#include <stddef.h>

/* What was accessed, in Chinese ("查看当事人信息", "打印表格 receipt"); buf (len bytes) is
 * used for the forms with a name or hash. */
const char *api_access_what_name(const char *what, char *buf, size_t len);

/* A request for approval (摘抄复印报批) as the API shows it. New reference. */
json_t *api_access_request_json(struct api *api, MDB_txn *txn,
                                const Jiefen__AccessRequestView *v);

#endif
