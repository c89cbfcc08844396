/*
 * console_assets — the web console's files (HTML, CSS, JS, and ECharts from npm), embedded
 * into jiefend at build time by console/embed.c, so a node serves its console with nothing
 * fetched from outside. The table is generated (build/console/console_assets.c) and lives
 * as long as the program; nothing here is ever freed or changed.
 */
#ifndef JIEFEN_CONSOLE_ASSETS_H
#define JIEFEN_CONSOLE_ASSETS_H

#include <stddef.h>

struct console_asset {
    const char *path;          /* URL path, e.g. "/console/app.js" */
    const char *type;          /* Content-Type */
    const char *etag;          /* quoted strong validator: a hash of the bytes */
    const unsigned char *data;
    size_t len;
};

/* The asset served at `path` (exact match, not decoded), or NULL. */
const struct console_asset *console_asset_find(const char *path);

#endif
