/*
 * report_names — names beside a report's codes (report_names.h).
 */
#include "api/report_names.h"

#include "api/api_case.h"
#include "envelope.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int report_names_submitter(store *st, MDB_txn *txn, const char *self, const char *origin,
                           uint64_t seq, const char *actor, char *buf, size_t len)
{
    MDB_val d;
    envelope *env = NULL;
    buf[0] = '\0';
    if (seq == 0 || !actor[0])
        return 0;
    int rc = store_event_get(st, txn, origin, seq, &d);
    if (rc == 0 && envelope_decode(d.mv_data, d.mv_size, &env) != 0)
        rc = JF_ECORRUPT;
    if (rc)
        return rc;
    const char *carried = env->event->actor_name;
    /* Events of older versions carry no name: a child's login is shown as it is rather
     * than matched against this node's accounts, which are not the child's. */
    if (!carried[0] && strcmp(origin, self) != 0 && strcmp(actor, "admin") != 0)
        carried = actor;
    api_actor_name(st, txn, actor, carried, buf, len);
    envelope_free(&env);
    return 0;
}

const char *report_names_reviewer(store *st, MDB_txn *txn, const char *reviewer, char *buf,
                                  size_t len)
{
    if (!reviewer[0]) {
        buf[0] = '\0';
        return buf;
    }
    return api_node_name(st, txn, reviewer, buf, len);
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

int report_names_add(store *st, MDB_txn *txn, const char *self, json_t *report)
{
    char who[REPORT_NAME_MAX], unit[REPORT_NAME_MAX];
    json_int_t seq = json_integer_value(json_object_get(report, "seq"));
    int rc = report_names_submitter(st, txn, self, str(report, "node"),
                                    seq > 0 ? (uint64_t)seq : 0, str(report, "submitted_by"),
                                    who, sizeof who);
    if (rc)
        return rc;
    report_names_reviewer(st, txn, str(report, "reviewer"), unit, sizeof unit);
    if (json_object_set_new(report, "submitted_by_name", json_string(who)) != 0 ||
        json_object_set_new(report, "reviewer_name", json_string(unit)) != 0)
        return -ENOMEM;
    return 0;
}

int report_names_add_all(store *st, MDB_txn *txn, const char *self, json_t *answer)
{
    json_t *own = json_object_get(answer, "own"), *c;
    size_t i;
    char name[REPORT_NAME_MAX];
    int rc = json_is_object(own) ? report_names_add(st, txn, self, own) : 0;
    /* The children carry their names already; this node's own report gets its own. */
    if (rc == 0 && json_is_object(own) &&
        json_object_set_new(own, "name",
                            json_string(api_node_name(st, txn, self, name, sizeof name))) != 0)
        rc = -ENOMEM;
    json_array_foreach(json_object_get(answer, "children"), i, c)
        if (rc == 0 && json_is_object(c) && json_object_get(c, "seq"))
            rc = report_names_add(st, txn, self, c);
    return rc;
}
