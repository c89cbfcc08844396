/* api_node — the node as a whole: its status, the reference tables, the Prometheus metrics
 * and a full verification of the store (on the thread pool). */
#include "api/api_outbox.h"
#include "api/api_backup.h"
#include "api/api_interop.h"
#include "api/api_routes.h"
#include "case/case.h"
#include "case/clockskew.h"
#include "case/intake.h"
#include "case/reference.h"
#include "clock.h"
#include "log.h"
#include "log/fold.h"
#include "log/migrate.h"
#include "case/caseindex.h"
#include "case/verify.h"

#include <stdio.h>
#include <stdlib.h>

#define API_VERSION "0.1.0"

static json_t *status_counts(struct api *api, MDB_txn *txn, uint64_t *total)
{
    json_t *by = json_object();
    *total = 0;
    for (size_t s = 1; s <= ref_statuses.count; s++) {
        char key[32];
        uint64_t v = 0;
        caseindex_status_key((int)s, key);
        store_meta_get_u64(api->dep.st, txn, key, &v);
        json_object_set_new(by, case_status_code((int)s), json_integer((json_int_t)v));
        *total += v;
    }
    return by;
}

/* Whether this node has a certificate, and under which parent (none: a root). */
static json_t *enrolment_json(struct api *api)
{
    MDB_txn *txn;
    MDB_val d;
    json_t *out = json_pack("{s:b, s:n}", "enrolled", 0, "parent");
    if (store_txn_begin(api->dep.st, MDB_RDONLY, &txn))
        return out;
    json_object_set_new(out, "enrolled", json_boolean(store_get(txn, api->dep.st->meta, "own_bundle", 10, &d) == 0));
    if (store_get(txn, api->dep.st->meta, "parent", 6, &d) == 0)
        json_object_set_new(out, "parent", json_stringn(d.mv_data, d.mv_size));
    store_txn_abort(txn);
    return out;
}

static json_t *links_json(struct api *api)
{
    return json_pack("{s:o, s:o, s:o}", "parent",
                     *api->dep.up ? uplink_json(*api->dep.up) : json_null(), "children",
                     *api->dep.down ? downlink_json(*api->dep.down) : json_array(), "refused",
                     *api->dep.down ? downlink_refused_json(*api->dep.down) : json_object());
}

static void counters_by(FILE *f, const char *name, const char *label, json_t *counts)
{
    const char *reason;
    json_t *count;
    json_object_foreach(counts, reason, count)
        fprintf(f, "%s{%sreason=\"%s\"} %lld\n", name, label, reason,
                (long long)json_integer_value(count));
}

/* Link figures for Prometheus, from the same objects `status` shows. */
static void links_metrics(struct api *api, FILE *f)
{
    json_t *links = links_json(api), *peers = json_array(), *v;
    size_t i;
    if (json_is_object(json_object_get(links, "parent")))
        json_array_append(peers, json_object_get(links, "parent"));
    json_array_extend(peers, json_object_get(links, "children"));
    fprintf(f, "# HELP jiefen_link_online 1 if the peer was heard from lately.\n"
               "# TYPE jiefen_link_online gauge\n");
    json_array_foreach(peers, i, v) {
        const char *peer = json_string_value(json_object_get(v, "peer"));
        const char *dir = json_string_value(json_object_get(v, "direction"));
        json_t *up = json_object_get(v, "backlog_up"), *down = json_object_get(v, "backlog_down");
        fprintf(f, "jiefen_link_online{peer=\"%s\",direction=\"%s\"} %d\n", peer, dir,
                json_is_true(json_object_get(v, "online")));
        if (up)
            fprintf(f, "jiefen_link_backlog_events{peer=\"%s\",direction=\"up\"} %lld\n", peer,
                    (long long)json_integer_value(up));
        if (down)
            fprintf(f, "jiefen_link_backlog_events{peer=\"%s\",direction=\"down\"} %lld\n",
                    peer, (long long)json_integer_value(down));
        json_t *throttled = json_object_get(v, "throttled");
        if (throttled)
            fprintf(f, "jiefen_link_throttled{peer=\"%s\"} %d\n", peer,
                    json_is_true(throttled));
        char label[64];
        snprintf(label, sizeof label, "peer=\"%s\",", peer);
        counters_by(f, "jiefen_link_rejected_total", label, json_object_get(v, "rejected"));
        counters_by(f, "jiefen_link_refused_total", label, json_object_get(v, "refused"));
        fprintf(f, "jiefen_link_disconnects_total{peer=\"%s\"} %lld\n", peer,
                (long long)json_integer_value(json_object_get(v, "disconnects")));
    }
    counters_by(f, "jiefen_link_refused_total", "peer=\"\",", json_object_get(links, "refused"));
    json_decref(peers);
    json_decref(links);
}

/* The clock checks of `status` as gauges: each peer's offset, and whether this node is
 * skewed against its parent. */
static void clock_metrics(struct api *api, FILE *f)
{
    json_t *clock = clockskew_json(api->dep.clock), *v;
    size_t i;
    fprintf(f, "# HELP jiefen_clock_offset_seconds A peer's clock minus this node's, as last "
               "measured.\n# TYPE jiefen_clock_offset_seconds gauge\n");
    json_array_foreach(json_object_get(clock, "peers"), i, v)
        fprintf(f, "jiefen_clock_offset_seconds{peer=\"%s\",direction=\"%s\"} %.3f\n",
                json_string_value(json_object_get(v, "peer")),
                json_string_value(json_object_get(v, "direction")),
                (double)json_integer_value(json_object_get(v, "offset_ms")) / 1000);
    fprintf(f, "# HELP jiefen_clock_skewed 1 if this node's clock is off its parent's by more "
               "than the threshold.\n# TYPE jiefen_clock_skewed gauge\njiefen_clock_skewed %d\n",
            json_is_true(json_object_get(clock, "skewed")));
    json_decref(clock);
}

/* The free space under the store and whether writes are stopped for it. */
static json_t *disk_json(store *st)
{
    uint64_t avail, min;
    char msg[256];
    int low = api_disk_message(st, msg, sizeof msg);
    store_space(st, &avail, &min);
    return json_pack("{s:b, s:I, s:I, s:I, s:s?}", "low", low, "free_bytes", (json_int_t)avail,
                     "min_free_bytes", (json_int_t)min, "max_map_bytes",
                     (json_int_t)st->max_map, "message", low ? msg : NULL);
}

/* The store's format and its free space as gauges. */
static void disk_metrics(store *st, MDB_txn *txn, FILE *f)
{
    uint64_t format = 0, avail, min;
    if (txn)
        migrate_format(st, txn, &format);
    int low = store_space(st, &avail, &min);
    fprintf(f,
            "# HELP jiefen_store_format Format version of the store.\n"
            "# TYPE jiefen_store_format gauge\njiefen_store_format %llu\n"
            "# HELP jiefen_disk_free_bytes Free bytes on the file system of the store.\n"
            "# TYPE jiefen_disk_free_bytes gauge\njiefen_disk_free_bytes %llu\n"
            "# HELP jiefen_disk_min_free_bytes Free bytes below which writes stop.\n"
            "# TYPE jiefen_disk_min_free_bytes gauge\njiefen_disk_min_free_bytes %llu\n"
            "# HELP jiefen_disk_full 1 while writes are stopped for lack of disk space.\n"
            "# TYPE jiefen_disk_full gauge\njiefen_disk_full %d\n",
            (unsigned long long)format, (unsigned long long)avail, (unsigned long long)min,
            low);
}

void route_status(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct api *api = c->api;
    MDB_txn *txn;
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    uint64_t events, seq, total, used, map;
    uint8_t head[CRYPTO_HASH_LEN];
    char pk_hex[CRYPTO_PK_LEN * 2 + 1], head_hex[CRYPTO_HASH_LEN * 2 + 1];
    store_count(txn, api->dep.st->events, &events);
    eventlog_head(api->dep.st, txn, api->dep.cfg->node_id, &seq, head);
    json_t *by = status_counts(api, txn, &total);
    uint64_t format = 0;
    migrate_format(api->dep.st, txn, &format);
    json_t *backup = api_backup_status(api, txn);
    json_t *recovery = api_recovery_json(api, txn, 0);
    store_txn_abort(txn);
    store_usage(api->dep.st, &used, &map);
    crypto_hex(crypto_identity_pk(api->dep.id), CRYPTO_PK_LEN, pk_hex);
    crypto_hex(head, sizeof head, head_hex);
    json_t *out = json_pack(
        "{s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:I, s:I, s:{s:I, s:I, s:s}, s:{s:I, s:o},"
        " s:{s:s, s:I, s:I}}",
        "node", "id", api->dep.cfg->node_id, "name", api->dep.cfg->node_name, "tier",
        config_tier_name(api->dep.cfg->tier), "public_key", pk_hex, "time_zone", api->dep.cfg->time_zone,
        "version", API_VERSION, "started_ms", (json_int_t)api->dep.started_ms, "now_ms",
        (json_int_t)clock_now_ms(), "log", "events", (json_int_t)events, "last_seq",
        (json_int_t)seq, "head_hash", head_hex, "cases", "total", (json_int_t)total,
        "by_status", by, "store", "path", api->dep.st->path, "size_bytes", (json_int_t)used,
        "map_bytes", (json_int_t)map);
    json_object_set_new(json_object_get(out, "store"), "format", json_integer((json_int_t)format));
    json_object_set_new(out, "disk", disk_json(api->dep.st));
    json_object_set_new(out, "links", links_json(api));
    json_object_set_new(out, "enrolment", enrolment_json(api));
    json_object_set_new(out, "clock", clockskew_json(api->dep.clock));
    json_object_set_new(out, "backup", backup);
    json_object_set_new(out, "recovery", recovery ? recovery : json_null());
    if (api->dep.docs)
        json_object_set_new(out, "documents", doclane_json(api->dep.docs));
    reply_json(c, 200, out);
}

void route_reference(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    json_t *out = json_object();
    for (const struct ref_table *const *t = ref_all; *t; t++) {
        json_t *list = json_array();
        for (size_t i = 0; i < (*t)->count; i++) {
            const struct ref_entry *e = &(*t)->entries[i];
            json_t *o = json_pack("{s:s, s:s}", "code", e->code, "name", e->name);
            if (e->department)
                json_object_set_new(o, *t == &ref_risks ? "official" : "department",
                                    json_string(e->department));
            json_array_append_new(list, o);
        }
        json_object_set_new(out, (*t)->kind, list);
    }
    json_object_set_new(out, "intake", intake_rules_json(c->api->dep.policy));
    json_t *courts = api_interop_courts(c->api);
    if (!courts) {
        json_decref(out);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
    json_object_set_new(out, "courts", courts);
    reply_json(c, 200, out);
}

void route_metrics(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct api *api = c->api;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    MDB_txn *txn;
    if (!f)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    uint64_t events = 0, total, used, map;
    if (store_txn_begin(api->dep.st, MDB_RDONLY, &txn) == 0) {
        store_count(txn, api->dep.st->events, &events);
        json_t *by = status_counts(api, txn, &total);
        disk_metrics(api->dep.st, txn, f);
        api_outbox_metrics(api, txn, f);
        store_txn_abort(txn);
        fprintf(f, "# HELP jiefen_cases Cases in this node's view by status.\n"
                   "# TYPE jiefen_cases gauge\n");
        const char *k;
        json_t *v;
        json_object_foreach(by, k, v)
            fprintf(f, "jiefen_cases{status=\"%s\"} %lld\n", k, (long long)json_integer_value(v));
        json_decref(by);
    }
    store_usage(api->dep.st, &used, &map);
    fprintf(
        f,
        "# HELP jiefen_log_events Events in the log.\n# TYPE jiefen_log_events gauge\n"
        "jiefen_log_events %llu\n"
        "# HELP jiefen_events_appended_total Events appended by this process.\n"
        "# TYPE jiefen_events_appended_total counter\njiefen_events_appended_total %llu\n"
        "# HELP jiefen_store_size_bytes Bytes used in the LMDB file.\n"
        "# TYPE jiefen_store_size_bytes gauge\njiefen_store_size_bytes %llu\n"
        "# HELP jiefen_store_map_bytes LMDB map size.\n"
        "# TYPE jiefen_store_map_bytes gauge\njiefen_store_map_bytes %llu\n",
        (unsigned long long)events,
        (unsigned long long)eventlog_appended_total(api->dep.log), (unsigned long long)used,
        (unsigned long long)map);
    metrics_write(api->dep.metrics, f);
    struct http_stats hs;
    http_server_stats(*api->dep.http, &hs);
    metrics_write_http(&hs, f);
    links_metrics(api, f);
    clock_metrics(api, f);
    fclose(f);
    reply_raw(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

/* ---- verify ------------------------------------------------------------------------- */

struct verify_job {
    struct api_call *c;
    struct verify_report report;
};

static int verify_work(MDB_txn *txn, void *arg)
{
    struct verify_job *j = arg;
    const struct api *api = j->c->api;
    return verify_run(api->dep.st, txn, api->dep.id, api->dep.cfg->node_id, &j->report);
}

static void verify_done(int rc, void *arg)
{
    struct verify_job *j = arg;
    const struct verify_report *r = &j->report;
    if (rc) {
        reply_store_error(j->c, rc);
    } else {
        log_info("verify", "%llu events, %llu cases, %llu problems",
                 (unsigned long long)r->events, (unsigned long long)r->cases,
                 (unsigned long long)r->problem_count);
        reply_json(j->c, 200, verify_report_json(r));
    }
    verify_report_free(&j->report);
    free(j);
}

void route_verify(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct verify_job *j = calloc(1, sizeof *j);
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    j->c = c;
    work_read(c->api->dep.work, verify_work, verify_done, j);
}
