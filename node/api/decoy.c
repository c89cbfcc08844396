#include "api/decoy.h"
#include "api/account.h"

#include <stdlib.h>
#include <string.h>

struct decoy {
    Jiefen__UserRecord rec; /* rec.user points at name */
    char name[ACCOUNT_USER_MAX + 1];
    int64_t tried_ms;
};

struct decoys {
    struct decoy slot[DECOY_MAX];
    size_t used;
};

Jiefen__UserRecord *decoy_find(struct decoys *d, const char *user)
{
    for (size_t i = 0; d && i < d->used; i++)
        if (strcmp(d->slot[i].name, user) == 0)
            return &d->slot[i].rec;
    return NULL;
}

/* Whether a is to be forgotten before b: unlocked before locked, then fewer failures, then
 * tried longer ago (so a name being guessed is the last to go). */
static int decoy_before(const struct decoy *a, const struct decoy *b, int64_t now)
{
    int la = account_locked(&a->rec, now), lb = account_locked(&b->rec, now);
    if (la != lb)
        return la < lb;
    if (a->rec.failures != b->rec.failures)
        return a->rec.failures < b->rec.failures;
    return a->tried_ms < b->tried_ms;
}

static struct decoy *decoy_victim(struct decoys *d, int64_t now)
{
    struct decoy *best = &d->slot[0];
    for (size_t i = 1; i < d->used; i++)
        if (decoy_before(&d->slot[i], best, now))
            best = &d->slot[i];
    return best;
}

Jiefen__UserRecord *decoy_get(struct decoys **dp, const char *user, int64_t now)
{
    if (account_check_user(user))
        return NULL; /* no account could have it: nothing to hide */
    if (!*dp && !(*dp = calloc(1, sizeof **dp)))
        return NULL;
    struct decoys *d = *dp;
    Jiefen__UserRecord *rec = decoy_find(d, user);
    struct decoy *s = rec ? (struct decoy *)rec : NULL;
    if (!s) {
        s = d->used < DECOY_MAX ? &d->slot[d->used++] : decoy_victim(d, now);
        *s = (struct decoy){.rec = JIEFEN__USER_RECORD__INIT};
        memcpy(s->name, user, strlen(user) + 1);
        s->rec.user = s->name;
    }
    s->tried_ms = now;
    return &s->rec;
}

void decoy_free(struct decoys **d)
{
    if (!d)
        return;
    free(*d);
    *d = NULL;
}
