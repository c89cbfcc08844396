/*
 * bench_floor — the memory floor of a jiefend process: a program that links exactly the
 * libraries jiefend links (node/CMakeLists.txt, common/CMakeLists.txt), makes one call
 * into each so that each is loaded, relocated and initialised, and sleeps until killed.
 * What it holds is what any process with those libraries pays before doing anything:
 * their relocated data and .bss, a heap, a stack. bench_tree.py starts as many of them as
 * the tree has nodes and prints their Pss per process beside jiefend's.
 *
 *   bench_floor        (prints "ready" once every library has been called, then sleeps)
 */
#include <http_parser.h>
#include <ini.h>
#include <jansson.h>
#include <lmdb.h>
#include <magic.h>
#include <math.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>
#include <zmq.h>

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    (void)section, (void)name, (void)value;
    ++*(int *)user;
    return 1;
}

int main(int argc, char **argv)
{
    int major, minor, patch, entries = 0;
    (void)argv;
    zmq_version(&major, &minor, &patch);
    json_t *j = json_integer(argc);
    if (sodium_init() < 0 || !j || ini_parse_string("[a]\nb = c\n", on_entry, &entries)) {
        fprintf(stderr, "bench_floor: a library failed to initialise\n");
        json_decref(j);
        return 1;
    }
    json_decref(j);
    printf("ready: zmq %d.%d.%d, %s, libuv %s, protobuf-c %s, zlib %s, magic %d, "
           "http_parser %lu, ini %d entry, sqrt %g\n",
           major, minor, patch, mdb_version(NULL, NULL, NULL), uv_version_string(),
           protobuf_c_version(), zlibVersion(), magic_version(), http_parser_version(),
           entries, sqrt((double)argc + 1.0));
    fflush(stdout);
    for (;;)
        pause();
}
