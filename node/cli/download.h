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

/* A printed or exported copy of a case's records (case print, case archive): --out FILE|-,
 * --force, --purpose P (查阅目的, recorded by the node). argv[0] is the command's last word,
 * the positionals (npos of them) follow it, then the options; path_fmt takes the escaped
 * positionals (%s each) and gets "?purpose=P" appended; `what` names the file in the usage
 * error of a missing --out. The exit code. */
int download_copy(struct ctl *ctl, int argc, char **argv, int npos, const char *path_fmt,
                  const char *what);

#endif
