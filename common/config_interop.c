#include "config_interop.h"
#include "config_sms.h"

#include <string.h>

void config_interop_defaults(struct config_interop *c)
{
    memset(c, 0, sizeof *c);
    c->timeout_s = 10;
    c->retry_base_s = 30;
    c->retry_max_s = 3600;
    c->drop_scan_s = 10;
}

static struct config_interop_system *find(struct config_interop *c, const char *name, size_t n)
{
    for (int i = 0; i < c->n_systems; i++)
        if (strlen(c->systems[i].name) == n && memcmp(c->systems[i].name, name, n) == 0)
            return &c->systems[i];
    return NULL;
}

/* NAME.key or NAME.receipt_url: the system called NAME, added if new. */
static const char *set_system(struct config_interop *c, const char *name, const char *v)
{
    const char *dot = strchr(name, '.');
    size_t n = (size_t)(dot - name);
    if (n == 0 || n >= CONFIG_INTEROP_NAME_MAX ||
        strspn(name, "abcdefghijklmnopqrstuvwxyz_0123456789") != n)
        return "needs a system name of a-z, 0-9 and '_' before the dot";
    struct config_interop_system *s = find(c, name, n);
    if (!s) {
        if (c->n_systems >= CONFIG_INTEROP_SYSTEMS)
            return "is one system too many";
        s = &c->systems[c->n_systems++];
        memset(s, 0, sizeof *s);
        memcpy(s->name, name, n);
    }
    if (strcmp(dot + 1, "key") == 0)
        return strlen(v) < 16 ? "must be at least 16 characters"
                              : config_set_text(s->key, sizeof s->key, v);
    if (strcmp(dot + 1, "receipt_url") == 0) {
        if (v[0] && strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
            return "must start with http:// or https:// (or be empty)";
        return config_set_text(s->receipt_url, sizeof s->receipt_url, v);
    }
    if (strcmp(dot + 1, "kind") == 0) {
        if (strcmp(v, "court") && strcmp(v, "order"))
            return "must be court or order";
        s->court = strcmp(v, "court") == 0;
        return NULL;
    }
    if (strcmp(dot + 1, "title") == 0)
        return config_set_text(s->title, sizeof s->title, v);
    return "is no option of a system (key, receipt_url, kind, title)";
}

const char *config_interop_set(struct config_interop *c, const char *name, const char *v,
                               char *msg, size_t msglen)
{
    if (strcmp(name, "timeout_s") == 0)
        return config_set_int(&c->timeout_s, v, 1, 300, msg, msglen);
    if (strcmp(name, "retry_base_s") == 0)
        return config_set_int(&c->retry_base_s, v, 1, 86400, msg, msglen);
    if (strcmp(name, "retry_max_s") == 0)
        return config_set_int(&c->retry_max_s, v, 1, 86400, msg, msglen);
    if (strcmp(name, "drop_scan_s") == 0)
        return config_set_int(&c->drop_scan_s, v, 1, 3600, msg, msglen);
    if (strcmp(name, "drop_dir") == 0)
        return v[0] && v[0] != '/' ? "must be an absolute path (or empty: no folder)"
                                   : config_set_text(c->drop_dir, sizeof c->drop_dir, v);
    if (strchr(name, '.'))
        return set_system(c, name, v);
    return "is no option of [interop]";
}

void config_interop_write(FILE *f, const struct config_interop *c)
{
    fprintf(f, "\n[interop]\n"
               "# Outside systems (12345, 信访): NAME.key signs orders in and 回单 out,\n"
               "# NAME.receipt_url takes the 回单. See docs/interop.md.\n"
               "timeout_s = %d\nretry_base_s = %d\nretry_max_s = %d\n"
               "# Offline exchange: <drop_dir>/<system>/*.json, looked at every drop_scan_s.\n"
               "drop_dir = %s\ndrop_scan_s = %d\n",
            c->timeout_s, c->retry_base_s, c->retry_max_s, c->drop_dir, c->drop_scan_s);
    for (int i = 0; i < c->n_systems; i++)
        fprintf(f, "%s.key = %s\n%s.receipt_url = %s\n%s.kind = %s\n%s.title = %s\n",
                c->systems[i].name, c->systems[i].key, c->systems[i].name,
                c->systems[i].receipt_url, c->systems[i].name,
                c->systems[i].court ? "court" : "order", c->systems[i].name,
                c->systems[i].title);
}

const struct config_interop_system *config_interop_system(const struct config_interop *c,
                                                          const char *name)
{
    for (int i = 0; i < c->n_systems; i++)
        if (strcmp(c->systems[i].name, name) == 0 && c->systems[i].key[0])
            return &c->systems[i];
    return NULL;
}
