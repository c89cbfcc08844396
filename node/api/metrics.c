#include "api/metrics.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SERIES 128
#define MAX_ROUTES 16

static const double dur_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                    0.5, 1, 2.5, 5, 10};
#define N_DUR (sizeof dur_bounds / sizeof dur_bounds[0])
static const double batch_bounds[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
#define N_BATCH (sizeof batch_bounds / sizeof batch_bounds[0])

struct histogram {
    uint64_t buckets[16]; /* cumulative counts are computed when written */
    uint64_t count;
    double sum;
};

struct counter {
    const char *route;
    int status;
    uint64_t n;
};

struct metrics {
    struct counter requests[MAX_SERIES];
    size_t n_requests;
    const char *routes[MAX_ROUTES];
    struct histogram durations[MAX_ROUTES];
    size_t n_routes;
    struct histogram batches;
    uint64_t batches_total;
};

metrics *metrics_new(void)
{
    return calloc(1, sizeof(metrics));
}

void metrics_free(metrics **m)
{
    if (!m || !*m)
        return;
    free(*m);
    *m = NULL;
}

static void observe(struct histogram *h, const double *bounds, size_t n, double v)
{
    size_t i = 0;
    while (i < n && v > bounds[i])
        i++;
    h->buckets[i]++;
    h->count++;
    h->sum += v;
}

static struct histogram *route_histogram(metrics *m, const char *route)
{
    for (size_t i = 0; i < m->n_routes; i++)
        if (strcmp(m->routes[i], route) == 0)
            return &m->durations[i];
    if (m->n_routes == MAX_ROUTES)
        return NULL;
    m->routes[m->n_routes] = route;
    return &m->durations[m->n_routes++];
}

void metrics_request(metrics *m, const char *route, int status, double seconds)
{
    struct histogram *h = route_histogram(m, route);
    if (h)
        observe(h, dur_bounds, N_DUR, seconds);
    for (size_t i = 0; i < m->n_requests; i++) {
        if (m->requests[i].status == status && strcmp(m->requests[i].route, route) == 0) {
            m->requests[i].n++;
            return;
        }
    }
    if (m->n_requests < MAX_SERIES)
        m->requests[m->n_requests++] = (struct counter){route, status, 1};
}

void metrics_batch(metrics *m, unsigned ops)
{
    m->batches_total++;
    observe(&m->batches, batch_bounds, N_BATCH, ops);
}

static void write_histogram(FILE *f, const char *name, const char *label,
                            const struct histogram *h, const double *bounds, size_t n)
{
    uint64_t cum = 0;
    const char *sep = label[0] ? "," : "";
    for (size_t i = 0; i < n; i++) {
        cum += h->buckets[i];
        fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, label, sep, bounds[i],
                (unsigned long long)cum);
    }
    fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label, sep,
            (unsigned long long)h->count);
    char braced[96];
    snprintf(braced, sizeof braced, label[0] ? "{%s}" : "%s", label);
    fprintf(f, "%s_sum%s %.6f\n%s_count%s %llu\n", name, braced, h->sum, name, braced,
            (unsigned long long)h->count);
}

void metrics_write(const metrics *m, FILE *f)
{
    fprintf(f, "# HELP jiefen_http_requests_total HTTP requests answered.\n"
               "# TYPE jiefen_http_requests_total counter\n");
    for (size_t i = 0; i < m->n_requests; i++)
        fprintf(f, "jiefen_http_requests_total{route=\"%s\",code=\"%d\"} %llu\n",
                m->requests[i].route, m->requests[i].status,
                (unsigned long long)m->requests[i].n);
    fprintf(f, "# HELP jiefen_http_request_duration_seconds Time from request to response.\n"
               "# TYPE jiefen_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < m->n_routes; i++) {
        char label[64];
        snprintf(label, sizeof label, "route=\"%s\"", m->routes[i]);
        write_histogram(f, "jiefen_http_request_duration_seconds", label, &m->durations[i],
                        dur_bounds, N_DUR);
    }
    fprintf(f, "# HELP jiefen_commit_batches_total Group commits of the event log.\n"
               "# TYPE jiefen_commit_batches_total counter\n"
               "jiefen_commit_batches_total %llu\n"
               "# HELP jiefen_commit_batch_size Operations per group commit.\n"
               "# TYPE jiefen_commit_batch_size histogram\n",
            (unsigned long long)m->batches_total);
    write_histogram(f, "jiefen_commit_batch_size", "", &m->batches, batch_bounds, N_BATCH);
}

void metrics_write_http(const struct http_stats *st, FILE *f)
{
    fprintf(f, "# HELP jiefen_http_refused_total Connections refused or cut off, by reason.\n"
               "# TYPE jiefen_http_refused_total counter\n");
    for (int r = 0; r < HTTP_REFUSED_N; r++)
        fprintf(f, "jiefen_http_refused_total{reason=\"%s\"} %llu\n", http_refusal_name(r),
                (unsigned long long)st->refused[r]);
    fprintf(f, "# HELP jiefen_http_connections_accepted_total Connections taken in.\n"
               "# TYPE jiefen_http_connections_accepted_total counter\n"
               "jiefen_http_connections_accepted_total %llu\n"
               "# HELP jiefen_http_connections Connections open now.\n"
               "# TYPE jiefen_http_connections gauge\njiefen_http_connections %u\n"
               "# HELP jiefen_http_connections_max Cap on open connections (all, per address).\n"
               "# TYPE jiefen_http_connections_max gauge\n"
               "jiefen_http_connections_max{scope=\"all\"} %u\n"
               "jiefen_http_connections_max{scope=\"address\"} %u\n",
            (unsigned long long)st->accepted, st->open, st->limits.max_conns,
            st->limits.max_per_addr);
}
