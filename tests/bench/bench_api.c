/*
 * bench_api — intakes per second through the HTTP API of a running jiefend: C client
 * threads, each with one keep-alive connection, POSTing /api/v1/cases and waiting for the
 * 201 (which comes only once the intake is durable). With DEPTH > 1 each connection keeps
 * DEPTH requests in flight (HTTP pipelining). Prints throughput and latency, and with
 * COMMITS (LMDB's durable one-record commits per second, as bench_log measured it in the
 * same run) the throughput as a multiple of it.
 *
 *   bench_api HOST PORT TOKEN CONNECTIONS SECONDS [DEPTH [COMMITS]]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 2000000

static const char *host, *token;
static int port;
static double seconds;
static int depth = 1;
static double *lat;
static long n_lat, failures;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static const char *BODY =
    "{\"parties\":[{\"name\":\"张三\",\"id_number\":\"11010519491231002X\","
    "\"phone\":\"13800138000\",\"address\":\"东村3组12号\"}],"
    "\"category\":\"land_contract\",\"matter_type\":\"dispute_mediation\",\"village\":\"东村\","
    "\"source\":\"walk_in\",\"summary\":\"承包地边界争议\",\"complexity\":\"simple\"}";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_to(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("connect");
        exit(1);
    }
    return fd;
}

struct reader {
    char buf[65536];
    size_t have;
};

/* Reads one response, keeping what follows it for the next; returns its status or -1. */
static int read_response(int fd, struct reader *rd)
{
    for (;;) {
        rd->buf[rd->have] = 0;
        char *end = strstr(rd->buf, "\r\n\r\n");
        char *cl = strcasestr(rd->buf, "Content-Length:");
        if (end && cl && cl < end) {
            size_t total = (size_t)(end + 4 - rd->buf) + strtoul(cl + 15, NULL, 10);
            if (rd->have >= total) {
                int status = atoi(rd->buf + 9);
                memmove(rd->buf, rd->buf + total, rd->have - total);
                rd->have -= total;
                return status;
            }
        }
        if (rd->have + 1 >= sizeof rd->buf)
            return -1;
        ssize_t r = read(fd, rd->buf + rd->have, sizeof rd->buf - rd->have - 1);
        if (r <= 0)
            return -1;
        rd->have += (size_t)r;
    }
}

static void count_failure(void)
{
    pthread_mutex_lock(&mu);
    failures++;
    pthread_mutex_unlock(&mu);
}

/* Keeps `depth` requests in flight on one connection until the time is up, then collects
 * the answers still owed; each latency runs from its request's send to its response. */
static void *worker(void *arg)
{
    (void)arg;
    char req[4096];
    struct reader *rd = calloc(1, sizeof *rd);
    double *sent = calloc((size_t)depth, sizeof *sent);
    int len = snprintf(req, sizeof req,
                       "POST /api/v1/cases HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                       "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                       host, port, token, strlen(BODY), BODY);
    int fd = connect_to();
    long n_sent = 0, n_done = 0;
    double end = now_s() + seconds;
    while (n_done < n_sent || now_s() < end) {
        while (n_sent - n_done < depth && now_s() < end) {
            sent[n_sent % depth] = now_s();
            if (write(fd, req, (size_t)len) != len)
                break;
            n_sent++;
        }
        if (n_done == n_sent)
            continue;
        if (read_response(fd, rd) != 201) {
            count_failure();
            close(fd);
            fd = connect_to();
            rd->have = 0;
            n_done = n_sent;   /* what was in flight on the old connection is lost */
            continue;
        }
        double dt = now_s() - sent[n_done % depth];
        n_done++;
        pthread_mutex_lock(&mu);
        if (n_lat < MAX_SAMPLES)
            lat[n_lat++] = dt;
        pthread_mutex_unlock(&mu);
    }
    close(fd);
    free(sent);
    free(rd);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 6 || argc > 8) {
        fprintf(stderr, "usage: bench_api HOST PORT TOKEN CONNECTIONS SECONDS [DEPTH [COMMITS]]\n");
        return 2;
    }
    depth = argc > 6 ? atoi(argv[6]) : 1;
    double commits = argc > 7 ? atof(argv[7]) : 0;
    if (depth < 1)
        depth = 1;
    host = argv[1];
    port = atoi(argv[2]);
    token = argv[3];
    int conns = atoi(argv[4]);
    seconds = atof(argv[5]);
    lat = malloc(sizeof *lat * MAX_SAMPLES);
    pthread_t *t = malloc(sizeof *t * (size_t)conns);
    double t0 = now_s();
    for (int i = 0; i < conns; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < conns; i++)
        pthread_join(t[i], NULL);
    double elapsed = now_s() - t0;
    qsort(lat, (size_t)n_lat, sizeof *lat, cmp);
    double rate = n_lat / elapsed;
    printf("api: %3d connections x %2d in flight: %8.0f intakes/s durable", conns, depth, rate);
    if (commits > 0)
        printf(" = %.2fx LMDB's %.0f commits/s", rate / commits, commits);
    printf(", latency p50 %.2f ms p99 %.2f ms (%ld ok, %ld failed)\n",
           n_lat ? lat[n_lat / 2] * 1e3 : 0, n_lat ? lat[(long)(n_lat * 0.99)] * 1e3 : 0, n_lat,
           failures);
    free(lat);
    free(t);
    return failures ? 1 : 0;
}
