/* Helpers shared by the unit tests: temporary directories removed at the end. */
#ifndef JIEFEN_TESTUTIL_H
#define JIEFEN_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Creates a fresh directory under $TMPDIR (or /tmp) and returns its path in buf. */
static inline void test_tmpdir(char *buf, size_t len)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, len, "%s/jiefen-unit-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        exit(1);
    }
}

static inline void test_rmtree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* A fresh directory per test, for cmocka's setup and teardown: test_dir holds its path. */
static char test_dir[4096];

static inline int test_dir_setup(void **state)
{
    (void)state;
    test_tmpdir(test_dir, sizeof test_dir);
    return 0;
}

static inline int test_dir_teardown(void **state)
{
    (void)state;
    test_rmtree(test_dir);
    return 0;
}

#endif
