/* notice — the SMS to staff of the domain's moments (notice.h). */
#include "case/notice.h"
#include "case/casefile.h"
#include "error.h"
#include "outbox/staffbook.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#define ONCE_MAX 200

int notice_time(int64_t ms, int with_time, char *out, size_t len)
{
    struct tm tm;
    time_t t = (time_t)(ms / 1000);
    const char *fmt = with_time ? "%-m月%-d日 %H:%M" : "%Y年%-m月%-d日";
    if (!localtime_r(&t, &tm) || !strftime(out, len, fmt, &tm))
        return JF_EINVAL;
    return 0;
}

/* Template tmpl about a department's part to the accounts `to`, once per kind. */
static int tell(eventlog_tx *tx, const crypto_identity *id, const struct staffbook_to *to,
                const char *tmpl, const char *case_id, const char *department, int64_t due_ms)
{
    char deadline[32], once[ONCE_MAX];
    if (notice_time(due_ms, 1, deadline, sizeof deadline) ||
        snprintf(once, sizeof once, "%s:%s:%s:%" PRId64, tmpl, case_id, department, due_ms) >=
            (int)sizeof once)
        return JF_EINVAL;
    struct notify_var vars[] = {{"department", department}, {"deadline", deadline}};
    return staffbook_notify(tx, id, to, tmpl, case_id, once, vars, 2, NULL);
}

int notice_routed(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                       const Jiefen__DeptRouted *d)
{
    struct staffbook_to to = {"department", d->lead, NULL};
    int rc = tell(tx, id, &to, "sign_reminder", case_id, d->lead, d->sign_due_ms);
    for (size_t i = 0; i < d->n_helpers && rc == 0; i++) {
        to.department = d->helpers[i];
        rc = tell(tx, id, &to, "sign_reminder", case_id, d->helpers[i], d->sign_due_ms);
    }
    return rc;
}

int notice_sign_overdue(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                             const char *department, int64_t sign_due_ms)
{
    struct staffbook_to dept = {"department", department, NULL};
    struct staffbook_to director = {"director", NULL, NULL};
    int rc = tell(tx, id, &dept, "sign_overdue", case_id, department, sign_due_ms);
    return rc ? rc
              : tell(tx, id, &director, "sign_overdue_director", case_id, department,
                     sign_due_ms);
}

int notice_followup(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                         const char *assignee, int64_t due_ms)
{
    char date[32], once[ONCE_MAX];
    if (!assignee || !assignee[0])
        return 0;
    if (notice_time(due_ms, 0, date, sizeof date) ||
        snprintf(once, sizeof once, "followup_assigned:%s:%" PRId64, case_id, due_ms) >=
            (int)sizeof once)
        return JF_EINVAL;
    struct staffbook_to to = {NULL, NULL, assignee};
    struct notify_var var = {"date", date};
    return staffbook_notify(tx, id, &to, "followup_assigned", case_id, once, &var, 1, NULL);
}

struct party_notice {
    eventlog_tx *tx;
    const char *tmpl, *once;
    const struct notify_var *vars;
    size_t n_vars;
};

static int notify_parties(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct party_notice *n = arg;
    char once[ONCE_MAX];
    if (ev->body_case != JIEFEN__EVENT__BODY_CASE_OPENED)
        return 0;
    Jiefen__Sealed *s = jiefen__sealed__unpack(NULL, len, plain);
    if (!s)
        return JF_ECORRUPT;
    int rc = 0;
    for (size_t i = 0; i < s->n_parties && rc == 0; i++) {
        if (!outbox_is_mobile(s->parties[i]->phone))
            continue;
        if (snprintf(once, sizeof once, "%s:%zu", n->once, i) >= (int)sizeof once)
            rc = JF_EINVAL;
        else
            rc = notify_queue_once(n->tx, once, n->tmpl, s->parties[i]->phone, ev->case_id,
                                   n->vars, n->n_vars);
        rc = rc == 1 ? 0 : rc;
    }
    jiefen__sealed__free_unpacked(s, NULL);
    return rc;
}

int notice_parties(eventlog_tx *tx, const crypto_identity *id, const char *self,
                   const Jiefen__CaseView *v, const char *tmpl, const char *once,
                   const struct notify_var *vars, size_t n_vars)
{
    struct party_notice n = {tx, tmpl, once, vars, n_vars};
    return casefile_each(tx->st, tx->txn, id, self, v, notify_parties, &n);
}
