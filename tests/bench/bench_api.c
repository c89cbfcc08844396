/*
 * bench_api — intakes per second through the HTTP API of a running jiefend: C client
 * threads, each with one keep-alive connection, POSTing /api/v1/cases and waiting for the
 * 201 (which comes only once the intake is durable). Prints throughput and latency, and,
 * given this machine's rate of LMDB durable commits of one record (bench_log ... commit,
 * measured in the same run), the throughput as a multiple of it: the goal of issue 19.
 *
 *   bench_api HOST PORT TOKEN CONNECTIONS SECONDS [ONE_COMMIT_RATE]
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

/* Reads one response; returns its status or -1. */
static int read_response(int fd, char *buf, size_t cap)
{
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, cap - have - 1);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        char *cl = strcasestr(buf, "Content-Length:");
        if (end && cl && have >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
            return atoi(buf + 9);
    }
}

static void *worker(void *arg)
{
    (void)arg;
    char req[4096], buf[65536];
    int len = snprintf(req, sizeof req,
                       "POST /api/v1/cases HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                       "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                       host, port, token, strlen(BODY), BODY);
    int fd = connect_to();
    double end = now_s() + seconds;
    while (now_s() < end) {
        double t0 = now_s();
        if (write(fd, req, (size_t)len) != len || read_response(fd, buf, sizeof buf) != 201) {
            pthread_mutex_lock(&mu);
            failures++;
            pthread_mutex_unlock(&mu);
            close(fd);
            fd = connect_to();
            continue;
        }
        double dt = now_s() - t0;
        pthread_mutex_lock(&mu);
        if (n_lat < MAX_SAMPLES)
            lat[n_lat++] = dt;
        pthread_mutex_unlock(&mu);
    }
    close(fd);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: bench_api HOST PORT TOKEN CONNECTIONS SECONDS [ONE_COMMIT_RATE]\n");
        return 2;
    }
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
    double rate = n_lat / elapsed, one_commit = argc == 7 ? atof(argv[6]) : 0;
    printf("api: %3d connections: %8.0f intakes/s durable, latency p50 %.2f ms p99 %.2f ms"
           " (%ld ok, %ld failed)",
           conns, rate, n_lat ? lat[n_lat / 2] * 1e3 : 0,
           n_lat ? lat[(long)(n_lat * 0.99)] * 1e3 : 0, n_lat, failures);
    if (one_commit > 0)
        printf(" = %.2fx LMDB's %.0f commits/s of one record", rate / one_commit, one_commit);
    printf("\n");
    free(lat);
    free(t);
    return failures ? 1 : 0;
}
