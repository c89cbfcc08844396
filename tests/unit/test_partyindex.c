/* partyindex, as a caller sees it: each field's normalisation (full-width forms, ASCII and
 * wide spaces, an ID number's x, a phone's dashes and brackets; nothing left or too long
 * refused); the index finds a person's cases by any field however it was typed, with role
 * and pseudonym, in case order, stops when asked, finds nothing under another node's key
 * and holds no name, number or phone in clear; the record of searches, newest first, keeps
 * who and which field; the search key file is made 0600, read back the same, and refused
 * when others may read it or it is not a key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/party.h"
#include "case/partyindex.h"
#include "error.h"
#include "store.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define NAME "欧阳金丝雀"
#define ID "11010119850615006X"
#define PHONE "13912345678"

/* ---- normalisation ---- */

static void expect_norm(enum partyindex_field f, const char *in, const char *want)
{
    char out[PARTYINDEX_TEXT_MAX];
    int rc = partyindex_normalise(f, in, out, sizeof out);
    printf("    %s: \"%s\" -> \"%s\" (%d)\n", partyindex_field_code(f), in, rc ? "" : out, rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
}

static void test_normalise_each_field(void **state)
{
    (void)state;
    expect_norm(PARTYINDEX_NAME, " 欧阳 金丝雀\t", NAME);
    expect_norm(PARTYINDEX_NAME, "欧阳　金丝雀", NAME);               /* U+3000 */
    expect_norm(PARTYINDEX_NAME, "Ｌｉ Ｍｉｎｇ", "LiMing");          /* case kept in names */
    expect_norm(PARTYINDEX_ID, "110101 19850615 006x", ID);
    expect_norm(PARTYINDEX_ID, "１１０１０１１９８５０６１５００６ｘ", ID);
    expect_norm(PARTYINDEX_ID, "１１０１　０１１９ ８５０６ １５００ ６Ｘ", ID);
    expect_norm(PARTYINDEX_PHONE, "139-1234-5678", PHONE);
    expect_norm(PARTYINDEX_PHONE, "１３９－１２３４－５６７８", PHONE);
    expect_norm(PARTYINDEX_PHONE, "(0951) 501-2345", "09515012345");
    /* Dashes count in a name or an ID number: only a phone drops them. */
    expect_norm(PARTYINDEX_NAME, "A-B", "A-B");
}

static void test_normalise_refusals(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(partyindex_normalise(PARTYINDEX_NAME, "", out, sizeof out), JF_EINVAL);
    assert_int_equal(partyindex_normalise(PARTYINDEX_NAME, " 　\t", out, sizeof out), JF_EINVAL);
    assert_int_equal(partyindex_normalise(PARTYINDEX_PHONE, "--()", out, sizeof out), JF_EINVAL);
    /* 8 bytes hold 7 characters and the NUL; the 8th does not fit. */
    assert_int_equal(partyindex_normalise(PARTYINDEX_PHONE, "1234567", out, sizeof out), 0);
    assert_int_equal(partyindex_normalise(PARTYINDEX_PHONE, "12345678", out, sizeof out),
                     JF_EINVAL);
    assert_int_equal(partyindex_normalise(PARTYINDEX_NAME, "欧阳金", out, sizeof out),
                     JF_EINVAL);
}

static void test_field_names(void **state)
{
    (void)state;
    assert_int_equal(partyindex_field_parse("name"), PARTYINDEX_NAME);
    assert_int_equal(partyindex_field_parse("id_number"), PARTYINDEX_ID);
    assert_int_equal(partyindex_field_parse("phone"), PARTYINDEX_PHONE);
    assert_int_equal(partyindex_field_parse("address"), 0);
    assert_int_equal(partyindex_field_parse("Name"), 0);
    assert_string_equal(partyindex_field_code(PARTYINDEX_ID), "id_number");
}

/* ---- the index ---- */

struct hits {
    unsigned n, stop_after;
    char ids[8][64], roles[8][32];
    int tagged[8];
};

static int collect(const struct partyindex_hit *h, void *arg)
{
    struct hits *w = arg;
    if (w->n < 8) {
        snprintf(w->ids[w->n], sizeof w->ids[0], "%s", h->case_id);
        snprintf(w->roles[w->n], sizeof w->roles[0], "%s", h->role);
        w->tagged[w->n] = h->tag != NULL;
    }
    w->n++;
    return w->stop_after && w->n == w->stop_after ? 7 : 0;
}

static struct hits find(store *st, const uint8_t *key, enum partyindex_field f,
                        const char *value, int want_rc, unsigned stop_after)
{
    struct hits w = {0};
    MDB_txn *txn;
    w.stop_after = stop_after;
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    assert_int_equal(partyindex_find(st, txn, key, f, value, collect, &w), want_rc);
    store_txn_abort(txn);
    printf("    %s \"%s\": %u case(s)%s%s\n", partyindex_field_code(f), value, w.n,
           w.n ? ", first " : "", w.n ? w.ids[0] : "");
    return w;
}

/* Two cases of the canary (applicant, then respondent without a phone) and one of another
 * person; the first two with pseudonyms, the third without. */
static void index_cases(store *st, const uint8_t *key)
{
    Jiefen__Party a = JIEFEN__PARTY__INIT, b = JIEFEN__PARTY__INIT, c = JIEFEN__PARTY__INIT,
                  d = JIEFEN__PARTY__INIT;
    a.role = "applicant", a.name = NAME, a.id_number = ID, a.phone = PHONE;
    b.role = "respondent", b.name = "李四", b.id_number = "110101199003077571", b.phone = "";
    c.role = "respondent", c.name = NAME, c.id_number = ID, c.phone = "";
    d.role = "applicant", d.name = "王五", d.id_number = "", d.phone = "0951-5012345";
    const Jiefen__Party *one[] = {&a, &b}, *two[] = {&d, &c}, *three[] = {&b};
    uint8_t tags[2][PARTY_TAG_LEN];
    memset(tags, 0xA5, sizeof tags);
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(partyindex_add(st, txn, key, "v1-2026-000002", one,
                                    (const uint8_t(*)[PARTY_TAG_LEN])tags, 2), 0);
    assert_int_equal(partyindex_add(st, txn, key, "v1-2026-000001", two,
                                    (const uint8_t(*)[PARTY_TAG_LEN])tags, 2), 0);
    assert_int_equal(partyindex_add(st, txn, key, "v1-2026-000003", three, NULL, 1), 0);
    assert_int_equal(store_txn_commit(txn), 0);
}

static void test_index_finds_by_each_field(void **state)
{
    (void)state;
    uint8_t key[PARTYINDEX_KEY_LEN], other[PARTYINDEX_KEY_LEN];
    memset(key, 1, sizeof key);
    memset(other, 2, sizeof other);
    store *st = test_store(test_dir, "store");
    index_cases(st, key);

    struct hits w = find(st, key, PARTYINDEX_NAME, "欧阳 金丝雀", 0, 0);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.ids[0], "v1-2026-000001"); /* in case order */
    assert_string_equal(w.roles[0], "respondent");
    assert_string_equal(w.ids[1], "v1-2026-000002");
    assert_string_equal(w.roles[1], "applicant");
    assert_true(w.tagged[0] && w.tagged[1]);
    w = find(st, key, PARTYINDEX_ID, "１１０１０１ １９８５０６１５ ００６ｘ", 0, 0);
    assert_int_equal(w.n, 2);
    /* Only the first case gave the canary's phone. */
    w = find(st, key, PARTYINDEX_PHONE, "139 1234 5678", 0, 0);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.ids[0], "v1-2026-000002");
    w = find(st, key, PARTYINDEX_PHONE, "(0951)5012345", 0, 0);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.ids[0], "v1-2026-000001");
    /* A case without pseudonyms is found without one. */
    w = find(st, key, PARTYINDEX_NAME, "李四", 0, 0);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.ids[1], "v1-2026-000003");
    assert_false(w.tagged[1]);
    /* The whole value only; a field never given finds nothing; fn's stop is returned. */
    assert_int_equal(find(st, key, PARTYINDEX_NAME, "欧阳", 0, 0).n, 0);
    assert_int_equal(find(st, key, PARTYINDEX_PHONE, "", JF_EINVAL, 0).n, 0);
    assert_int_equal(find(st, key, PARTYINDEX_NAME, NAME, 7, 1).n, 1);
    /* Another node's search key finds nothing. */
    assert_int_equal(find(st, other, PARTYINDEX_ID, ID, 0, 0).n, 0);
    store_close(&st);
}

static int no_clear_text(const MDB_val *k, const MDB_val *v, void *arg)
{
    static const char *const clear[] = {NAME, ID, PHONE, "李四", "110101199003077571",
                                        "09515012345", "0951-5012345"};
    (void)arg;
    for (size_t i = 0; i < sizeof clear / sizeof clear[0]; i++) {
        size_t n = strlen(clear[i]);
        assert_null(memmem(k->mv_data, k->mv_size, clear[i], n));
        assert_null(memmem(v->mv_data, v->mv_size, clear[i], n));
    }
    return 0;
}

static void test_index_holds_nothing_in_clear(void **state)
{
    (void)state;
    uint8_t key[PARTYINDEX_KEY_LEN];
    uint64_t n;
    MDB_txn *txn;
    memset(key, 1, sizeof key);
    store *st = test_store(test_dir, "store");
    index_cases(st, key);
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_count(txn, st->search, &n), 0);
    printf("    %llu entries\n", (unsigned long long)n);
    assert_int_equal(n, (3 + 2) + (2 + 2) + 2); /* the fields given, case by case */
    assert_int_equal(store_walk(txn, st->search, NULL, no_clear_text, NULL), 0);
    store_txn_abort(txn);
    store_close(&st);
}

/* ---- the record of searches ---- */

struct entries {
    unsigned n;
    char line[4][128];
};

static int entry(const struct partyindex_entry *e, void *arg)
{
    struct entries *w = arg;
    snprintf(w->line[w->n], sizeof w->line[0], "%lld %s %s %s", (long long)e->time_ms,
             partyindex_field_code(e->field), e->user, e->name);
    printf("    %s\n", w->line[w->n]);
    w->n++;
    return 0;
}

static void test_searches_recorded_newest_first(void **state)
{
    (void)state;
    store *st = test_store(test_dir, "store");
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(partyindex_log(st, txn, 1000, PARTYINDEX_NAME, "zhang", "张窗口"), 0);
    assert_int_equal(partyindex_log(st, txn, 2000, PARTYINDEX_ID, "li", "李调解"), 0);
    assert_int_equal(partyindex_log(st, txn, 3000, PARTYINDEX_PHONE, "admin", "本机管理令牌"), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    struct entries w = {0};
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    assert_int_equal(partyindex_log_each(st, txn, 2, entry, &w), 0);
    store_txn_abort(txn);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.line[0], "3000 phone admin 本机管理令牌");
    assert_string_equal(w.line[1], "2000 id_number li 李调解");
    store_close(&st);
}

/* ---- cases that arrived by a move ---- */

static void test_arrivals_queue_each_once(void **state)
{
    (void)state;
    store *st = test_store(test_dir, "store");
    MDB_txn *txn;
    char id[FOLD_CASE_ID_MAX + 1], long_id[FOLD_CASE_ID_MAX + 2];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = 0;
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(partyindex_arrived(st, txn, "v-b-2026-000002"), 0);
    assert_int_equal(partyindex_arrived(st, txn, "v-a-2026-000001"), 0);
    assert_int_equal(partyindex_arrived(st, txn, "v-b-2026-000002"), 0);
    assert_int_equal(partyindex_arrived(st, txn, long_id), JF_EINVAL);
    /* The queue is apart from the index: a search finds nothing of it. */
    assert_int_equal(partyindex_log(st, txn, 1000, PARTYINDEX_NAME, "zhang", "张窗口"), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(partyindex_arrival_next(st, txn, id), 0);
    assert_string_equal(id, "v-a-2026-000001");
    assert_int_equal(partyindex_arrival_next(st, txn, id), 0);
    assert_string_equal(id, "v-b-2026-000002");
    assert_int_equal(partyindex_arrival_next(st, txn, id), JF_ENOTFOUND);
    store_txn_abort(txn);
    /* Taken off only when the taking commits. */
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(partyindex_arrival_next(st, txn, id), 0);
    assert_string_equal(id, "v-a-2026-000001");
    store_txn_abort(txn);
    store_close(&st);
}

/* ---- the key file ---- */

static void test_key_file(void **state)
{
    (void)state;
    uint8_t a[PARTYINDEX_KEY_LEN], b[PARTYINDEX_KEY_LEN];
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/search.key", test_dir);
    assert_int_equal(partyindex_key_load(test_dir, a), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(partyindex_key_load(test_dir, b), 0);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(partyindex_key_load(test_dir, b), -EPERM);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a key\n", f);
    fclose(f);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(partyindex_key_load(test_dir, b), JF_EINVAL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_dir_setup, test_dir_teardown)

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise_each_field),
        cmocka_unit_test(test_normalise_refusals),
        cmocka_unit_test(test_field_names),
        T(test_index_finds_by_each_field),
        T(test_index_holds_nothing_in_clear),
        T(test_searches_recorded_newest_first),
        T(test_arrivals_queue_each_once),
        T(test_key_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
