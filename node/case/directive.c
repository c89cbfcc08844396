#include "case/directive.h"
#include "case/agenda.h"
#include "array.h"
#include "error.h"
#include "log/fold.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t directive_key(const char *origin, uint64_t seq, uint8_t *buf)
{
    return store_event_key(origin, seq, buf);
}

int directive_get(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                       Jiefen__DirectiveView **out)
{
    uint8_t key[STORE_KEY_MAX];
    return STORE_GET_MESSAGE(txn, st->directives, key, directive_key(origin, seq, key),
                             &jiefen__directive_view__descriptor, out);
}

static int directive_put(store *st, MDB_txn *txn, const Jiefen__DirectiveView *v)
{
    uint8_t key[STORE_KEY_MAX];
    return store_put_message(txn, st->directives, key, directive_key(v->origin, v->seq, key),
                             &v->base);
}

int directive_addresses(store *st, MDB_txn *txn, const Jiefen__Directive *d,
                             const char *node)
{
    for (size_t i = 0; i < d->n_targets; i++) {
        if (strcmp(d->targets[i], node) == 0)
            return 1;
        if (d->subtree && registry_in_subtree(st, txn, node, d->targets[i]))
            return 1;
    }
    return 0;
}

/* 1 if `s` is one of the n strings of list. */
static int listed(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* Appends a copy of s to an array that holds exactly *n strings (a view's repeated field). */
static int append_str(char ***arr, size_t *n, const char *s)
{
    char **grown = array_one_more(*arr, *n, sizeof **arr);
    if (!grown)
        return -ENOMEM;
    *arr = grown;
    if (!(grown[*n] = strdup(s)))
        return -ENOMEM;
    (*n)++;
    return 0;
}

struct addressees {
    store *st;
    MDB_txn *txn;
    const Jiefen__Event *ev;
    char **ids;
    size_t n;
};

/* The to-do item of a directive to this node: there until this node acknowledges it. */
static int directive_agenda(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                          int64_t time_ms, int present)
{
    char subject[AGENDA_SUBJECT_MAX + 1];
    snprintf(subject, sizeof subject, "%s/%llu", origin, (unsigned long long)seq);
    return agenda_set(st, txn, AGENDA_ABOUT_DIRECTIVE, AGENDA_DIRECTIVE, subject, time_ms, present);
}

static int add_addressee(const Jiefen__NodeInfo *ni, void *arg)
{
    struct addressees *a = arg;
    if (strcmp(ni->node_id, a->ev->origin) == 0 ||
        !directive_addresses(a->st, a->txn, a->ev->directive, ni->node_id))
        return 0;
    return append_str(&a->ids, &a->n, ni->node_id);
}

int directive_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    /* Every node this one knows that the directive is meant for, except its sender. */
    struct addressees a = {st, txn, ev, NULL, 0};
    int rc = registry_each(st, txn, add_addressee, &a);
    Jiefen__DirectiveView v = JIEFEN__DIRECTIVE_VIEW__INIT;
    v.origin = ev->origin;
    v.seq = ev->seq;
    v.time_ms = ev->time_ms;
    v.actor = ev->actor;
    v.actor_name = ev->actor_name;
    v.directive = ev->directive;
    v.addressees = a.ids;
    v.n_addressees = a.n;
    if (rc == 0)
        rc = directive_put(st, txn, &v);
    if (rc == 0 && directive_addresses(st, txn, ev->directive, self))
        rc = directive_agenda(st, txn, ev->origin, ev->seq, ev->time_ms, 1);
    for (size_t i = 0; i < a.n; i++)
        free(a.ids[i]);
    free(a.ids);
    return rc;
}

/* Records who acknowledged; a node that was not asked, or asks twice, changes nothing. */
int directive_ack_fold(store *st, MDB_txn *txn, const char *self,
                       const Jiefen__Event *ev)
{
    const Jiefen__DirectiveAck *a = ev->directive_ack;
    Jiefen__DirectiveView *v;
    if (!fold_valid_name(a->origin, STORE_ORIGIN_MAX))
        return JF_EINVAL;
    int rc = directive_get(st, txn, a->origin, a->seq, &v);
    if (rc || !v)
        return rc;
    /* Only an addressee's ack counts: the sender's list of who has (not) acknowledged must
     * not name a node that was never asked. */
    if (!listed(v->addressees, v->n_addressees, ev->origin) ||
        listed(v->acked_by, v->n_acked_by, ev->origin))
        goto out;
    int64_t *ms = array_one_more(v->acked_ms, v->n_acked_ms, sizeof *ms);
    if (!ms) {
        rc = -ENOMEM;
        goto out;
    }
    v->acked_ms = ms;
    ms[v->n_acked_ms++] = ev->time_ms;
    if ((rc = append_str(&v->acked_by, &v->n_acked_by, ev->origin)) ||
        (rc = append_str(&v->ack_notes, &v->n_ack_notes, a->note)))
        goto out;
    rc = directive_put(st, txn, v);
    if (rc == 0 && strcmp(ev->origin, self) == 0)
        rc = directive_agenda(st, txn, v->origin, v->seq, v->time_ms, 0);
out:
    jiefen__directive_view__free_unpacked(v, NULL);
    return rc;
}
