/* The ledger of a county store of N cases (default 3,000,000, a third of them taken in
 * during the month measured): how long the month's figures, the parent's view of its
 * children's reports and the month's spreadsheet export take, and how much memory each
 * needs. The cases are synthetic views written straight into a fresh store (1 county, 10
 * townships, 100 villages) over 90 days; each township has submitted its monthly ledger
 * report for October 2026.
 *
 *   bench_ledger DIR [N]      builds the store, then measures each in a fresh process
 *                             (so that each peak is its own), three times for the ledger
 *                             and the exports, and prints each run and the median
 *
 * Each run prints its wall time, its CPU time (on a shared machine the wall time includes
 * waiting for a core), the peak RSS (VmHWM: mostly the store's pages, mapped from the page
 * cache) and the peak anonymous memory (RssAnon, sampled every 10 ms: the process's own).
 * The ceiling beside the ledger is a bare walk reading every view's bytes; beside them all,
 * before and after, the speed of one core (Ed25519 verifies per second, machine.h, with a
 * throwaway key kept in DIR/machine.key). `bench_ledger DIR N --only WHAT` measures one of
 * walk, reports, reports-per-child, ledger, xlsx or csv alone on a store built before. */
#include "node.h"
#include "case/case.h"
#include "clock.h"
#include "error.h"
#include "report/ledger.h"
#include "report/ledger_export.h"
#include "case/reference.h"
#include "log/registry.h"
#include "report/report.h"
#include "report/report_status.h"
#include "machine.h"

#include <pthread.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DAY 86400000LL
#define T0 1790000000000LL /* 2026-09-21 */
#define MONTH "2026-10-01"
#define RUNS 3

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A "Name:   N kB" line of /proc/self/status, in MiB; 0 if absent. */
static double status_mib(const char *name)
{
    char line[256];
    double kb = 0;
    size_t n = strlen(name);
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            kb = atof(line + n + 1);
    if (f)
        fclose(f);
    return kb / 1024;
}

/* The peak of RssAnon while a measurement runs (the kernel keeps no peak of it). */
struct sampler {
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    double peak_anon;
};

static void *sample(void *arg)
{
    struct sampler *s = arg;
    for (;;) {
        double anon = status_mib("RssAnon");
        pthread_mutex_lock(&s->lock);
        s->peak_anon = anon > s->peak_anon ? anon : s->peak_anon;
        int stop = s->stop;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            return NULL;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
}

/* What one run measured: wall and CPU seconds, peak RSS and peak anonymous memory. */
struct figures {
    double wall, cpu, hwm, anon;
};

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static struct sampler sampler = {.lock = PTHREAD_MUTEX_INITIALIZER};
static struct figures run;

static void run_start(void)
{
    pthread_create(&sampler.thread, NULL, sample, &sampler);
    run.cpu = cpu_s();
    run.wall = now_s();
}

static void run_stop(void)
{
    run.wall = now_s() - run.wall;
    run.cpu = cpu_s() - run.cpu;
    pthread_mutex_lock(&sampler.lock);
    sampler.stop = 1;
    pthread_mutex_unlock(&sampler.lock);
    pthread_join(sampler.thread, NULL);
    double anon = status_mib("RssAnon");
    run.anon = anon > sampler.peak_anon ? anon : sampler.peak_anon;
    run.hwm = status_mib("VmHWM");
}

static void print_run(const char *what, const struct figures *f)
{
    printf("  %-7s %6.2f s wall, %6.2f s CPU, peak RSS %5.0f MiB, peak anonymous %5.1f MiB\n",
           what, f->wall, f->cpu, f->hwm, f->anon);
}

/* ---- the store ----------------------------------------------------------------------- */

static int make_tree(store *st, MDB_txn *txn)
{
    uint8_t pk[32] = {0};
    char id[32], parent[32];
    int rc = registry_put(st, txn, "c1", "县", 3, pk, "");
    for (int t = 0; t < 10 && !rc; t++) {
        snprintf(parent, sizeof parent, "t%d", t);
        rc = registry_put(st, txn, parent, "镇", 2, pk, "c1");
        for (int v = 0; v < 10 && !rc; v++) {
            snprintf(id, sizeof id, "v%d-%d", t, v);
            rc = registry_put(st, txn, id, "村", 1, pk, parent);
        }
    }
    return rc;
}

/* Each township's ledger report for the month, as its report_submitted event folds. */
static int make_reports(store *st, MDB_txn *txn)
{
    int rc = 0;
    for (int t = 0; t < 10 && !rc; t++) {
        char origin[8];
        snprintf(origin, sizeof origin, "t%d", t);
        Jiefen__ReportSubmitted rs = JIEFEN__REPORT_SUBMITTED__INIT;
        rs.kind = "ledger";
        rs.period = MONTH;
        rs.figures = "{\"taken_in\": 0}";
        rs.analysis = "本月矛盾纠纷总体平稳";
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.origin = origin;
        ev.seq = 1;
        ev.time_ms = T0 + 60 * DAY;
        ev.actor = "镇综治中心";
        ev.body_case = JIEFEN__EVENT__BODY_REPORT_SUBMITTED;
        ev.report_submitted = &rs;
        rc = report_fold(st, txn, "", &ev);
    }
    return rc;
}

/* One synthetic case: taken in at a village, some escalated, some closed. */
static void fill(Jiefen__CaseView *v, long i, char *id, char *village, char *town, char **holders)
{
    int t = (int)(i % 10), vi = (int)(i / 10 % 10);
    snprintf(id, 40, "v%d-%d-2026-%07ld", t, vi, i);
    snprintf(village, 32, "v%d-%d", t, vi);
    snprintf(town, 32, "t%d", t);
    jiefen__case_view__init(v);
    v->case_id = id;
    v->category = (char *)ref_categories.entries[i % ref_categories.count].code;
    v->matter_type = (char *)ref_matter_types.entries[i % 7 % ref_matter_types.count].code;
    v->source = (char *)ref_sources.entries[i % ref_sources.count].code;
    v->village = village;
    v->opened_at_node = village;
    v->opened_ms = T0 + (i % 90) * DAY;
    v->due_ms = v->opened_ms + 3 * DAY;
    v->risk = 1 + (int)(i % 4);
    holders[0] = village;
    holders[1] = town;
    v->period_holders = holders;
    v->n_period_holders = i % 5 == 0 ? 2 : 1;
    v->holder = holders[v->n_period_holders - 1];
    v->status = i % 3 ? JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED
                      : JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    if (v->status == JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED) {
        v->closed_ms = v->last_closed_ms = v->opened_ms + (i % 5) * DAY;
        v->closed_due_ms = v->due_ms;
        v->closed_at_node = v->last_closed_at_node = v->holder;
        v->last_outcome = JIEFEN__OUTCOME__OUTCOME_AGREEMENT;
        v->satisfaction = i % 7 ? "satisfied" : "dissatisfied";
    }
}

static int make_cases(store *st, long n)
{
    char id[40], village[32], town[32], *holders[2];
    for (long i = 0; i < n;) {
        MDB_txn *txn;
        int rc = store_txn_begin(st, 0, &txn);
        for (long end = i + 10000; rc == 0 && i < n && i < end; i++) {
            Jiefen__CaseView v;
            fill(&v, i, id, village, town, holders);
            rc = store_put_message(txn, st->cases, id, strlen(id), &v.base);
        }
        if (rc || (rc = mdb_txn_commit(txn)))
            return rc;
    }
    return 0;
}

static int build(const char *path, long n)
{
    store *st;
    MDB_txn *txn;
    int rc = store_open(path, (size_t)4 << 30, 1, &st);
    if (rc)
        return rc;
    if ((rc = store_txn_begin(st, 0, &txn)) == 0) {
        rc = make_tree(st, txn);
        if (rc == 0)
            rc = make_reports(st, txn);
        rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
    }
    if (rc == 0)
        rc = make_cases(st, n);
    uint64_t used, map;
    store_usage(st, &used, &map);
    printf("ledger: %ld cases in the store (%.0f MB), 1 county, 10 townships, 100 villages\n",
           n, used / 1e6);
    store_close(&st);
    return rc;
}

/* ---- the measurements, one per process ----------------------------------------------- */

/* The county's ledger of the month: a third of the store taken in, all of it read. */
static int ledger_month(store *st, MDB_txn *txn, long n)
{
    struct ledger l;
    run_start();
    int rc = ledger_compute(st, txn, "c1", T0 + 30 * DAY, T0 + 60 * DAY, T0 + 90 * DAY, NULL,
                            NULL, &l);
    run_stop();
    if (rc)
        return rc;
    printf("ledger: taken in %llu, closed %llu, pending %llu of %ld cases read, %.0f cases/s\n",
           (unsigned long long)l.taken_in, (unsigned long long)l.closed,
           (unsigned long long)l.pending, n, n / run.wall);
    ledger_clear(&l);
    return 0;
}

static int count_bytes(const MDB_val *k, const MDB_val *d, void *arg)
{
    const unsigned char *p = d->mv_data;
    uint64_t *sum = arg;
    (void)k;
    for (size_t i = 0; i < d->mv_size; i += 64) /* every cache line of the view */
        *sum += p[i];
    return 0;
}

/* The ceiling: a walk over the views touching their bytes, decoding nothing. */
static int walk_only(store *st, MDB_txn *txn, long n)
{
    uint64_t sum = 0;
    run_start();
    int rc = store_walk(txn, st->cases, NULL, count_bytes, &sum);
    run_stop();
    if (rc == 0)
        printf("walk: the bare walk over %ld views, decoding nothing (the ceiling): %.2f s "
               "wall, %.2f s CPU (checksum %llu)\n",
               n, run.wall, run.cpu, (unsigned long long)(sum % 1000));
    return rc;
}

/* GET /api/v1/reports at the county: ten townships' ledger reports, each checked against
 * the county's own figures for its subtree. */
static int reports_view(store *st, MDB_txn *txn, long n)
{
    (void)n;
    struct report_period p;
    report_period_parse("ledger", MONTH, &p);
    json_t *out = json_object();
    double t0 = now_s();
    int rc = report_status(st, txn, "c1", &p, T0 + 90 * DAY, out);
    double secs = now_s() - t0;
    json_t *children = json_object_get(out, "children");
    if (rc == 0)
        printf("reports: the county's view of its 10 townships' ledgers for %s (one pass): "
               "%.2f s; %zu children, %zu figures differ; peak RSS %.0f MiB\n",
               MONTH, secs, json_array_size(children),
               json_array_size(json_object_get(json_array_get(children, 0), "disagreements")),
               status_mib("VmHWM"));
    json_decref(out);
    return rc;
}

/* The same as the view computed it before: one ledger per child. */
static int reports_per_child(store *st, MDB_txn *txn, long n)
{
    (void)n;
    struct report_period p;
    report_period_parse("ledger", MONTH, &p);
    double t0 = now_s();
    int rc = 0;
    for (int t = 0; t < 10 && rc == 0; t++) {
        char id[8];
        json_t *fig = NULL;
        snprintf(id, sizeof id, "t%d", t);
        rc = ledger_figures(st, txn, id, p.from_ms, p.to_ms, T0 + 90 * DAY, &fig, NULL);
        json_decref(fig);
    }
    if (rc == 0)
        printf("reports: the same, one ledger per child (as before): %.2f s\n", now_s() - t0);
    return rc;
}

/* The month's ledger as a spreadsheet: its cases in the case register. */
static int export_month(store *st, MDB_txn *txn, int xlsx, const char *dir)
{
    struct ledger_export_req q = {"c1", "贺兰县", T0 + 30 * DAY, T0 + 60 * DAY, T0 + 90 * DAY,
                                  xlsx, dir};
    char *out = NULL, err[256] = "";
    size_t len = 0;
    run_start();
    int rc = ledger_export(st, txn, &q, &out, &len, err, sizeof err);
    run_stop();
    if (rc)
        fprintf(stderr, "bench_ledger: export: %s\n", err);
    else
        printf("export: %s of the month's cases: %.0f MB, %.0f rows/s\n", xlsx ? "XLSX" : "CSV",
               len / 1e6, 1e6 / run.wall);
    /* JIEFEN_BENCH_KEEP=FILE keeps the file, for a reader to check. */
    const char *keep = getenv("JIEFEN_BENCH_KEEP");
    FILE *f = rc == 0 && keep ? fopen(keep, "wb") : NULL;
    if (f && (fwrite(out, 1, len, f) != len) + (fclose(f) != 0))
        rc = -EIO;
    free(out);
    return rc;
}

static int measure(const char *dir, const char *path, long n, const char *what)
{
    store *st;
    MDB_txn *txn;
    int rc = store_open(path, (size_t)4 << 30, 0, &st);
    if (rc == 0 && (rc = store_txn_begin(st, MDB_RDONLY, &txn)) == 0) {
        rc = strcmp(what, "ledger") == 0            ? ledger_month(st, txn, n)
             : strcmp(what, "walk") == 0            ? walk_only(st, txn, n)
             : strcmp(what, "reports") == 0         ? reports_view(st, txn, n)
             : strcmp(what, "reports-per-child") == 0 ? reports_per_child(st, txn, n)
             : strcmp(what, "xlsx") == 0            ? export_month(st, txn, 1, dir)
                                                    : export_month(st, txn, 0, dir);
        mdb_txn_abort(txn);
    }
    store_close(&st);
    return rc;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v)
{
    qsort(v, RUNS, sizeof *v, by_value);
    return v[RUNS / 2];
}

/* Runs one measurement in a fresh process; its figures come back through a pipe. */
static int spawn(const char *self, const char *dir, const char *count, const char *what,
                 struct figures *f)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char fd[16];
        close(fds[0]);
        snprintf(fd, sizeof fd, "%d", fds[1]);
        execl("/proc/self/exe", self, dir, count, "--only", what, fd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    ssize_t got = pid > 0 ? read(fds[0], f, sizeof *f) : -1;
    close(fds[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status)) {
        fprintf(stderr, "bench_ledger: %s failed\n", what);
        return -1;
    }
    if (got != (ssize_t)sizeof *f)
        *f = (struct figures){0};
    return 0;
}

/* RUNS runs of one measurement, each printed, then the median of each figure. */
static int median_of_runs(const char *self, const char *dir, const char *count,
                          const char *what)
{
    double wall[RUNS], cpu[RUNS], hwm[RUNS], anon[RUNS];
    for (int i = 0; i < RUNS; i++) {
        struct figures f;
        if (spawn(self, dir, count, what, &f))
            return -1;
        print_run("run", &f);
        wall[i] = f.wall, cpu[i] = f.cpu, hwm[i] = f.hwm, anon[i] = f.anon;
    }
    struct figures m = {median(wall), median(cpu), median(hwm), median(anon)};
    print_run("median", &m);
    return 0;
}

/* One core's speed now, beside the figures: this shared machine's cores change speed from
 * hour to hour, and every figure here is CPU time. 0 or -1. */
static int print_machine(const char *dir, const char *when)
{
    char path[4200];
    crypto_identity *id;
    snprintf(path, sizeof path, "%s/machine.key", dir);
    int rc = crypto_init();
    if (rc == 0)
        rc = machine_identity(path, &id);
    if (rc) {
        fprintf(stderr, "bench_ledger: no key to measure the machine with in %s (%s)\n", path,
                jf_strerror(rc));
        return -1;
    }
    printf("machine %s: Ed25519 verify %.0f /s on one core\n", when,
           machine_verify_rate(id, 1));
    crypto_identity_free(&id);
    return 0;
}

int main(int argc, char **argv)
{
    node_register_folds();
    /* Measured once: the ceiling, and the reports view with the old way beside it. */
    static const char *const once[] = {"walk", "reports", "reports-per-child"};
    static const char *const thrice[] = {"ledger", "xlsx", "csv"};
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ledger DIR [N]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 3000000;
    char path[4200], count[32];
    snprintf(path, sizeof path, "%s/store", argv[1]);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    if (argc > 4 && strcmp(argv[3], "--only") == 0) {
        /* Run by hand (no pipe to a parent, which measures the machine itself): one core's
         * speed beside the figure, before and after. */
        int alone = argc == 5;
        if (alone && print_machine(argv[1], "before"))
            return 1;
        int rc = measure(argv[1], path, n, argv[4]);
        if (rc == 0 && alone)
            print_run("run", &run);
        if (rc == 0 && alone && print_machine(argv[1], "after"))
            rc = -1;
        if (rc == 0 && argc > 5 && write(atoi(argv[5]), &run, sizeof run) != sizeof run)
            rc = -1;
        return rc ? 1 : 0;
    }
    if (build(path, n)) {
        fprintf(stderr, "bench_ledger: cannot build the store\n");
        return 1;
    }
    snprintf(count, sizeof count, "%ld", n);
    if (print_machine(argv[1], "before"))
        return 1;
    struct figures f;
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++)
        if (spawn(argv[0], argv[1], count, once[i], &f))
            return 1;
    for (size_t i = 0; i < sizeof thrice / sizeof thrice[0]; i++)
        if (median_of_runs(argv[0], argv[1], count, thrice[i]))
            return 1;
    return print_machine(argv[1], "after") ? 1 : 0;
}
