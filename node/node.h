/*
 * node — one jiefend: its data directory, store, identity, event log, HTTP API and the
 * libuv loop that drives them. main() only parses arguments and calls node_init() or
 * node_new()/node_run()/node_destroy(); the node is an opaque handle passed
 * explicitly; its parts (node/log, case, report, link, api) each own their state and get
 * from node.c, the wiring, exactly the handles they use (docs/architecture.md).
 *
 * Data directory: jiefend.conf, node.key (0600), admin.token (0600), store/ (LMDB),
 * and while running jiefend.pid (locked: one daemon per directory) and jiefend.addr.
 */
#ifndef JIEFEN_NODE_H
#define JIEFEN_NODE_H

#include "config.h"

#include <limits.h>
#include <stddef.h>

#define NODE_ERR_MAX 1024
#define NODE_DIR_MAX (PATH_MAX - 64)   /* room left for our file names in it */

struct node;

/* Registers with log/fold.h what each kind of event does to the domain's views, and what
 * follows an applied event (route.h). Called by node_init and node_new; tools and tests
 * that fold events without a node call it first. */
void node_register_folds(void);

/* For the wiring's own files (node.c, nodeinit.c): an error message into err (len bytes);
 * DIR/NAME into out (PATH_MAX bytes; "" if it does not fit: data directories are checked
 * to leave room for our file names, NODE_DIR_MAX). */
void node_errf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void node_path_in(const char *dir, const char *name, char *out);

/* Creates a new node in `dir` (which must not exist or be empty) from cfg. On failure
 * returns non-zero with the reason in err and leaves no node behind. */
int node_init(const char *dir, const struct config *cfg, char *err, size_t errlen);

/* The same for a node rebuilt on an empty disk (docs/operations.md, "Rebuilding a lost
 * node"): a new key, and an empty log without its first event, since its chain is fetched
 * back from its parent once the parent enrols it as the successor of its old key. */
int node_init_rebuild(const char *dir, const struct config *cfg, char *err, size_t errlen);

/* Opens the node in `dir`: config, identity, lock, store. Returns NULL with the reason in
 * err. With check_only, stops after the config is loaded and checked. */
struct node *node_new(const char *dir, int check_only, char *err, size_t errlen);

/* Serves until SIGINT/SIGTERM. Returns 0 on a clean stop. */
int node_run(struct node *n, char *err, size_t errlen);

/* Closes everything; accepts NULL and clears the caller's pointer. */
void node_destroy(struct node **n);

#endif
