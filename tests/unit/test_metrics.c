/* metrics (api/metrics.h): request counters per route and status, duration histograms per
 * route and the group-commit batch histogram, as Prometheus text (0.0.4): cumulative
 * buckets with `le` inclusive, +Inf equal to the count, sum and count lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/metrics.h"
#include "testutil.h"

/* Everything metrics_write writes; free it. */
static char *written(const metrics *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    metrics_write(m, f);
    fclose(f);
    return buf;
}

/* 1 if the text has exactly this line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p += n)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == 0))
            return 1;
    printf("  missing line: %s\n", line);
    return 0;
}

static void test_empty(void **state)
{
    (void)state;
    metrics *m = metrics_new();
    assert_non_null(m);
    char *t = written(m);
    printf("%s", t);
    assert_true(has_line(t, "# TYPE jiefen_http_requests_total counter"));
    assert_true(has_line(t, "# TYPE jiefen_http_request_duration_seconds histogram"));
    assert_true(has_line(t, "# TYPE jiefen_commit_batches_total counter"));
    assert_true(has_line(t, "jiefen_commit_batches_total 0"));
    assert_true(has_line(t, "jiefen_commit_batch_size_bucket{le=\"+Inf\"} 0"));
    assert_true(has_line(t, "jiefen_commit_batch_size_count 0"));
    assert_null(strstr(t, "route=")); /* no request yet */
    free(t);
    metrics_free(&m);
    assert_null(m);
    metrics_free(&m);
    metrics_free(NULL);
}

static void test_requests(void **state)
{
    (void)state;
    metrics *m = metrics_new();
    metrics_request(m, "cases", 200, 0.0005);
    metrics_request(m, "cases", 200, 0.001);  /* on a bound: counted in it (le) */
    metrics_request(m, "cases", 200, 0.003);
    metrics_request(m, "cases", 404, 0.2);
    metrics_request(m, "cases", 200, 20);     /* above every bound: only in +Inf */
    metrics_request(m, "login", 401, 0.12);
    char *t = written(m);
    printf("%s", t);
    assert_true(has_line(t, "jiefen_http_requests_total{route=\"cases\",code=\"200\"} 4"));
    assert_true(has_line(t, "jiefen_http_requests_total{route=\"cases\",code=\"404\"} 1"));
    assert_true(has_line(t, "jiefen_http_requests_total{route=\"login\",code=\"401\"} 1"));
    /* One histogram per route, whatever the status. */
    const char *h = "jiefen_http_request_duration_seconds";
    char line[160];
    struct {
        const char *le;
        int n;
    } want[] = {{"0.001", 2},  {"0.0025", 2}, {"0.005", 3}, {"0.01", 3}, {"0.1", 3},
                {"0.25", 4},   {"0.5", 4},    {"10", 4},    {"+Inf", 5}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        snprintf(line, sizeof line, "%s_bucket{route=\"cases\",le=\"%s\"} %d", h, want[i].le,
                 want[i].n);
        assert_true(has_line(t, line));
    }
    snprintf(line, sizeof line, "%s_count{route=\"cases\"} 5", h);
    assert_true(has_line(t, line));
    snprintf(line, sizeof line, "%s_sum{route=\"cases\"} 20.204500", h);
    assert_true(has_line(t, line));
    snprintf(line, sizeof line, "%s_bucket{route=\"login\",le=\"0.1\"} 0", h);
    assert_true(has_line(t, line));
    snprintf(line, sizeof line, "%s_bucket{route=\"login\",le=\"0.25\"} 1", h);
    assert_true(has_line(t, line));
    free(t);
    metrics_free(&m);
}

static void test_batches(void **state)
{
    (void)state;
    metrics *m = metrics_new();
    metrics_batch(m, 1);
    metrics_batch(m, 3);
    metrics_batch(m, 1000);
    metrics_batch(m, 5000);
    char *t = written(m);
    printf("%s", t);
    assert_true(has_line(t, "jiefen_commit_batches_total 4"));
    assert_true(has_line(t, "jiefen_commit_batch_size_bucket{le=\"1\"} 1"));
    assert_true(has_line(t, "jiefen_commit_batch_size_bucket{le=\"2\"} 1"));
    assert_true(has_line(t, "jiefen_commit_batch_size_bucket{le=\"5\"} 2"));
    assert_true(has_line(t, "jiefen_commit_batch_size_bucket{le=\"500\"} 2"));
    assert_true(has_line(t, "jiefen_commit_batch_size_bucket{le=\"1000\"} 3"));
    assert_true(has_line(t, "jiefen_commit_batch_size_bucket{le=\"+Inf\"} 4"));
    assert_true(has_line(t, "jiefen_commit_batch_size_sum 6004.000000"));
    assert_true(has_line(t, "jiefen_commit_batch_size_count 4"));
    free(t);
    metrics_free(&m);
}

static void test_many_routes_are_all_counted(void **state)
{
    (void)state;
    static const char *routes[] = {"r00", "r01", "r02", "r03", "r04", "r05", "r06",
                                   "r07", "r08", "r09", "r10", "r11", "r12", "r13",
                                   "r14", "r15", "r16", "r17", "r18", "r19"};
    metrics *m = metrics_new();
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        for (int code = 200; code < 205; code++)
            metrics_request(m, routes[i], code, 0.01);
    char *t = written(m);
    char line[128];
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        snprintf(line, sizeof line, "jiefen_http_requests_total{route=\"%s\",code=\"204\"} 1",
                 routes[i]);
        assert_true(has_line(t, line));
    }
    free(t);
    metrics_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_many_routes_are_all_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
