/*
 * config_interop — the [interop] section: the outside systems that send work orders in and
 * take 回单 back (the 12345 hotline, the 信访 system), each under a short name of its own:
 *
 *   [interop]
 *   12345.key = a-long-shared-secret         # signs orders in and 回单 out (HMAC-SHA256)
 *   12345.receipt_url = https://12345.example.cn/receipt
 *   xinfang.key = another-secret
 *   court_dc.key = a-court-secret            # a court (诉前委派): its orders carry 案号 and
 *   court_dc.kind = court                    # a deadline, its 回单 the mediation's result
 *   court_dc.title = 东城区人民法院           # the name people read (else the short name)
 *   timeout_s = 10
 *   retry_base_s = 30
 *   retry_max_s = 3600
 *   drop_dir = /srv/jiefen/exchange          # offline sites: <drop_dir>/12345/NAME.json; a
 *                                            # system without receipt_url (not a court) gets
 *                                            # its 回单 in <drop_dir>/<system>/receipts/
 *   drop_scan_s = 10
 *
 * A system with no key is not configured: its orders are refused. Parsed by config.c.
 */
#ifndef JIEFEN_CONFIG_INTEROP_H
#define JIEFEN_CONFIG_INTEROP_H

#include <stdio.h>

#define CONFIG_INTEROP_SYSTEMS 8
#define CONFIG_INTEROP_NAME_MAX 32

struct config_interop_system {
    char name[CONFIG_INTEROP_NAME_MAX];  /* a-z, 0-9, '_': "12345", "xinfang" */
    char key[256];                       /* the shared secret */
    char receipt_url[512];               /* where 回单 go; "": the folder or the outbox */
    int court;                           /* kind = court: 诉前委派 (docs/interop.md) */
    char title[128];                     /* the name shown to people; "": a known one */
};

struct config_interop {
    struct config_interop_system systems[CONFIG_INTEROP_SYSTEMS];
    int n_systems;
    int timeout_s, retry_base_s, retry_max_s;
    char drop_dir[512];   /* the exchange folder: <drop_dir>/<system>/NAME.json; "": none */
    int drop_scan_s;      /* how often it is looked at */
};

void config_interop_defaults(struct config_interop *c);

/* Sets option `name` of [interop]; NULL, or what is wrong (in msg or static). */
const char *config_interop_set(struct config_interop *c, const char *name, const char *value,
                               char *msg, size_t msglen);

/* Writes the section, commented, to f. */
void config_interop_write(FILE *f, const struct config_interop *c);

/* The system called name with a key, or NULL. */
const struct config_interop_system *config_interop_system(const struct config_interop *c,
                                                          const char *name);

#endif
