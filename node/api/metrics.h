/*
 * metrics — the daemon's counters and histograms, written in the Prometheus text format
 * (0.0.4). Values the store already knows (cases, log size) are written by the caller
 * beside these; this module keeps only what exists nowhere else.
 */
#ifndef JIEFEN_METRICS_H
#define JIEFEN_METRICS_H

#include "api/http.h"

#include <stdint.h>
#include <stdio.h>

typedef struct metrics metrics;

metrics *metrics_new(void);
void metrics_free(metrics **m);

/* One answered request: its route name (static string), status and duration. */
void metrics_request(metrics *m, const char *route, int status, double seconds);

/* One committed batch of `ops` operations. */
void metrics_batch(metrics *m, unsigned ops);

/* Writes the HTTP server's refusals by reason, its open connections and its caps to f. */
void metrics_write_http(const struct http_stats *st, FILE *f);

/* Writes every metric of this module to f. */
void metrics_write(const metrics *m, FILE *f);

#endif
