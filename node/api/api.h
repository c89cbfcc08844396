/*
 * api — the HTTP JSON API of docs/api.md: routing, Host and Origin checks, who is asking
 * (the bearer token or a session cookie with its CSRF token, api_account.c), what their
 * role may do (one table per dispatcher, docs/permissions.md), and one handler per route.
 * Every request is answered exactly once, with an error that names what was wrong, and is
 * counted in the metrics.
 */
#ifndef JIEFEN_API_H
#define JIEFEN_API_H

#include "api/http.h"

#define API_MAX_BODY (1024 * 1024)

/* http_handler_fn for the node's server; `data` is the struct node. */
void api_handle(http_req *req, const http_request *r, void *data);

struct node;

/* Accounts (api_account.c): sets up the timer of slowed logins, once the loop exists. */
void api_account_init(struct node *n);

/* Removes ended sessions from the store (the cron calls it). */
void api_account_sweep(struct node *n);

/* At shutdown: answers the logins still waiting (503) and stops their timer. */
void api_account_stop(struct node *n);

#endif
