/*
 * config — the node's configuration file (INI, parsed by inih) as a typed table: each
 * option has a section, name, type, bounds, default and a line of documentation. A bad
 * file stops the daemon at start with "FILE:LINE: message"; unknown options are errors
 * (a misspelt option would otherwise be silently ignored).
 */
#ifndef JIEFEN_CONFIG_H
#define JIEFEN_CONFIG_H

#include "config_interop.h"
#include "config_webhook.h"
#include "config_sms.h"

#include <stddef.h>

#define CONFIG_ID_MAX 32
#define CONFIG_ERR_MAX 512

struct config {
    char node_id[CONFIG_ID_MAX + 1];
    char node_name[128];
    int tier;                 /* JIEFEN__TIER__* */
    char time_zone[64];
    char http_host[64];
    int http_port;
    int http_header_timeout_s;  /* [http] deadlines, from a request's first byte ... */
    int http_body_timeout_s;
    int http_idle_timeout_s;    /* ... and between requests */
    int http_stall_timeout_s;   /* a stream's client taking nothing */
    int http_max_connections;   /* caps; 0: derived from the fd limit */
    int http_max_per_address;
    int http_pipeline;          /* requests of one connection in flight */
    long map_size_mb;
    long max_map_mb;          /* [store] the map never grows past this; 0: no ceiling */
    long min_free_mb;         /* [store] below this much free disk, no new writes */
    int simple_days;
    int complex_days;
    int working_days;         /* limits count working days (holidays file) */
    char holidays[512];       /* holiday calendar file, "" for Monday-Friday */
    int warn_hours;           /* warning this long before a limit; 0 for none */
    int overdue_escalates;    /* an overdue case also escalates to the parent */
    int followup_days;        /* 回访 due this many days after closing */
    int failed_attempts;      /* 3221 threshold here; 0 for the tier's default */
    char risk_official[4][64];  /* blue, yellow, orange, red (四色管控) */
    int warn_category_cases;  /* [warning] N cases of one category in one village ... */
    int warn_category_days;   /* ... within D days */
    int warn_escalations;     /* a case escalated this many times ... */
    int warn_escalation_days; /* ... within this many days */
    int warn_red;             /* a red-risk case raises a warning */
    int warn_party_cases;     /* one party in this many open cases raises a warning */
    struct config_route {
        char category[48];
        char department[96];
        int line;
    } routing[32];            /* [routing] category = department overrides */
    int n_routing;
    int session_idle_minutes; /* [console] a session unused this long ends */
    int session_max_hours;    /* ... and ends this long after its login anyway */
    int lock_failures;        /* failed logins in a row that lock an account */
    int lock_minutes;         /* for this long */
    int device_binding;       /* [auth] logins only from approved devices (一机一账号) */
    int log_level;            /* enum log_level */
    char link_listen[256];    /* ZeroMQ endpoint for children, "" for none */
    char link_parent[256];    /* overrides the parent endpoint from enrolment */
    int link_throttle_invalid;    /* invalid envelopes from a child that throttle it ... */
    int link_throttle_window_s;   /* ... within this window, */
    int link_throttle_cooldown_s; /* for this long */
    int link_min_protocol;    /* children speaking an older link protocol are refused */
    int clock_skew_seconds;   /* a peer's clock further off than this is reported */
    char recovery_public_key[65]; /* [recovery] the tree's recovery key (hex X25519), "" none */
    char access_approval_for[64]; /* [access] what needs a director's approval: archive,print,copy */
    int dept_sign_hours;      /* [departments] 签收 limit, in working hours */
    char work_hours[32];      /* [departments] the working day, "HH:MM-HH:MM" local */
    struct config_interop interop; /* [interop]: 12345 / 信访 orders in, 回单 out */
    struct config_webhooks webhooks; /* [webhook NAME]: subscribers told of case events */
    struct config_sms sms;    /* [sms]: the SMS gateway and the outbox's rules */
    long doc_max_file_kb;     /* [documents] one attached document at most ... */
    long doc_max_case_kb;     /* ... and all the documents of one case */
    char backup_dir[512];     /* [backup] periodic backups go here; "" for none ... */
    int backup_every_min;     /* ... every this many minutes ... */
    int backup_keep;          /* ... and this many are kept */
    char linkage_key_file[512];  /* [linkage] the county-wide linkage key; "" for none */
    long linkage_population;     /* [linkage] this village's residents; 0: not known */
    char linkage_villages[1024]; /* [linkage] other villages' residents, "ID:N,ID:N" */
};

/* Sets every option to its default (node id, name and tier empty). */
void config_defaults(struct config *c);

/* Loads `path` over the defaults. Returns 0, or JF_ECONFIG with the reason in err
 * ("FILE:LINE: message"), or a negative errno when the file cannot be read. */
int config_load(const char *path, struct config *c, char *err, size_t errlen);

/* Checks a config's values (as from flags of `jiefend init`); same errors as load. */
int config_check(const struct config *c, char *err, size_t errlen);

/* Writes c as a commented config file (every option with its doc and bounds), O_EXCL,
 * fsync'd. Returns 0 or a negative errno. */
int config_write(const char *path, const struct config *c);

/* "village", "township", ... for a tier; NULL if none. And back: -1 if unknown. */
const char *config_tier_name(int tier);
int config_tier_parse(const char *name);

/* Checks a node id: 1-32 of [a-z0-9-], not starting or ending with '-'. 0 or -1. */
int config_valid_node_id(const char *id);

/* Parses "HOST:PORT" (HOST may be [v6]). 0 or -1. */
int config_parse_addr(const char *s, char *host, size_t hostlen, int *port);

#endif
