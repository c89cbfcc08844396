/*
 * download — a file the daemon answers (a spreadsheet) written where --out says.
 */
#ifndef JIEFEN_CLI_DOWNLOAD_H
#define JIEFEN_CLI_DOWNLOAD_H

#include "ctl.h"

/* The file GET path answers, written to `out`: "-" is standard output; FILE is written
 * under a temporary name and takes its name only once complete (never half-written), and
 * one that exists is kept unless `force`. Confirms with its size, or with --json
 * {"out": FILE, "bytes": N}. The exit code. */
int download_file(struct ctl *ctl, const char *path, const char *out, int force);

#endif
