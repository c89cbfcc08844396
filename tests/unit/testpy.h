/* A reader in Python that a unit test carries (the XLSX and zip tests read their files back
 * with an implementation not ours). Include after cmocka.h and testutil.h. */
#ifndef JIEFEN_TESTPY_H
#define JIEFEN_TESTPY_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_PYTHON "/usr/bin/python3"
#define TEST_PYTHON_OUT (1 << 20)

/* Writes source to a file of its own (beside, not in, the test's directory, whose files a
 * test may count) and runs it on args (quoted for the shell); what it printed, as JSON
 * (the caller's). NULL, said so, where python3 is missing or the reader printed {"skip":
 * why} (a module it needs is not installed). A reader that fails, or prints no JSON,
 * fails the test. */
static inline json_t *test_python_json(const char *source, const char *args)
{
    char script[4200], cmd[9000];
    if (access(TEST_PYTHON, X_OK) != 0) {
        printf("  SKIP read-back: %s not found\n", TEST_PYTHON);
        return NULL;
    }
    snprintf(script, sizeof script, "%s.reader.py", test_dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    assert_true(fputs(source, f) >= 0);
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "%s '%s' %s", TEST_PYTHON, script, args);
    char *text = malloc(TEST_PYTHON_OUT);
    FILE *p = popen(cmd, "r");
    assert_non_null(text);
    assert_non_null(p);
    size_t n = fread(text, 1, TEST_PYTHON_OUT - 1, p);
    text[n] = '\0';
    int status = pclose(p);
    unlink(script);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!root)
        printf("  reader printed: %s\n  json: %s\n", text, jerr.text);
    free(text);
    assert_non_null(root);
    if (json_object_get(root, "skip")) {
        printf("  SKIP read-back: %s\n", json_string_value(json_object_get(root, "skip")));
        json_decref(root);
        return NULL;
    }
    return root;
}

#endif
