/*
 * store — the node's LMDB environment: one file, the named databases below (at most
 * STORE_MAX_DBS), durable commits (never MDB_NOSYNC: what we acknowledge has reached the
 * disk).
 *
 *   events  (origin "\0" seq:u64be) -> Envelope bytes, exactly as signed
 *   sealed  (origin "\0" seq:u64be) -> personal data, AEAD-encrypted, the key as AD
 *   cases   case id                 -> CaseView bytes (derived; rebuilt by verify)
 *   meta    name                    -> small values (chain heads, counters, cursors)
 *   nodes   node id                 -> NodeInfo: keys of the nodes this one knows
 *   inbox   (origin "\0" seq:u64be) -> Envelope bytes of events from ancestors (not dense)
 *   outbox  (child "\0" qseq:u64be) -> Envelope bytes queued for a child, qseq dense
 *   directives (origin "\0" seq)    -> DirectiveView (derived)
 *   parked  case "\0" origin "\0" seq:u64be -> 1 byte: received events that came before
 *           what they depend on (see case.h), retried when their case changes
 *   timers  'w'|'d'|'s' due:u64be case -> empty: limits of open cases this node holds, whose
 *           warning ('w') or limit ('d') is still to come, and the earliest department
 *           sign-for limit ('s', 签收) of each case routed here still to be found passed,
 *           and the reminder of its appointment ('a', 调解预约) a day before, until sent
 *   reports origin "\0" kind "\0" period -> ReportView (derived): reports of this node and
 *           its subtree, with their review
 *   warnings time:u64be origin "\0" seq -> WarningView (derived): early warnings of the
 *           subtree, in the order they were raised (the event's time)
 *   parties tag(16) case            -> empty: the cases of each party pseudonym (party.h)
 *   users   user name               -> UserRecord: this node's accounts (never in the log)
 *   sessions BLAKE2b-256 of the cookie -> SessionRecord: browser sessions (the cookie itself
 *           is never stored)
 *   search  'p' field hash case, 'a' seq -> the keyed index of parties and the record of
 *           searches (node/case/partyindex.h)
 *   opened  opened_ms:u64be case -> empty: every case view by its opening time, for the
 *           case list newest first (caseindex.h)
 *   agenda    'i' kind due:u64be subject -> empty: what waits for this node (agenda.h);
 *           'c' kind -> u64be count; 'r' slot:u16be -> a change (seq:u64be first), a ring
 *           of the last AGENDA_JOURNAL; 's' -> the newest change's seq ('j' seq:u64be: the
 *           journal of stores before the ring, no longer read)
 *   access  'e' time:u64be origin "\0" seq -> AccessView: who saw what (access.h);
 *           'r' origin "\0" seq -> AccessRequestView: requests for approval (摘抄复印报批)
 *   hazards 'h' hazard id -> HazardView; 'c' case id -> hazard id (case/hazard.h)
 *   notify  'm' id:u64be -> NotifyRecord; 's' id:u64be -> its NotifyPayload, sealed;
 *           'p' id:u64be -> next_ms:u64be while it is not done; 'q' system "\0"
 *           next_ms:u64be id:u64be -> empty (the due index); 'c' case "\0" id:u64be -> empty;
 *           'n' -> the last id; 'k' once-key -> empty (outbox.h); 'u' user -> StaffContact,
 *           'v' user -> its mobile number, sealed (node/outbox/staffbook.h)
 *   docwant case -> empty: cases moved to this node whose document blobs may still be
 *           missing here (node/link/doclane.h fetches them and drops the entry)
 *   interop 'o' system "\0" order_no -> case id; 'c' case id -> InteropOrder;
 *           'r' id:u64be -> InteropRefused; 's' id:u64be -> its body, sealed;
 *           'q' case id -> a result reached elsewhere, its 回单 to queue (interop.h)
 *   deptq   department "\0" case -> empty: the cases with a part of that department routed
 *           at this node (node/case/deptindex.h; from store format 4)
 *   filings village "\0" date(YYYY-MM-DD) "\0" tag(32 hex) -> empty: court filings reported
 *           by the court, by linkage tag, never an ID number (node/case/linkage.h)
 *   devices 16 hex of BLAKE2b(user "\0" device id) -> DeviceRecord: the devices accounts
 *           log in from, pending, approved or revoked (一机一账号, node/api/device.h)
 *
 * Keys are big-endian so each origin's events are in seq order. On MDB_MAP_FULL the
 * caller aborts its transaction, calls store_grow() with no transaction open, and replays;
 * the map never grows past its ceiling (store_set_limits), where store_grow says JF_EFULL.
 *
 * Space: store_space_check() measures the free space of the file system under the store
 * (statvfs) and says JF_EFULL below the floor set by store_set_limits; the event log checks
 * before each group commit, ingest before each batch, the node on a timer. The last
 * measure is kept for status and metrics (store_space).
 */
#ifndef JIEFEN_STORE_H
#define JIEFEN_STORE_H

#include <lmdb.h>
#include <pthread.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_KEY_MAX 48
#define STORE_TIME_KEY_MAX (8 + STORE_KEY_MAX)
#define STORE_ORIGIN_MAX 32
#define STORE_MAX_DBS 40    /* room above the databases below for new ones */

typedef struct store {
    MDB_env *env;
    MDB_dbi events, sealed, cases, meta, nodes, inbox, outbox, directives, parked, timers,
        reports, warnings, parties, users, sessions, search, agenda, opened,
        access;
    MDB_dbi hazards;   /* the 苗头隐患 register (case/hazard.h) */
    MDB_dbi roster;   /* 名册 (node/case/roster.h) */
    MDB_dbi notify;  /* the outbox of messages to outside systems */
    MDB_dbi docwant;  /* cases whose documents may still be missing (link/doclane.h) */
    MDB_dbi interop; /* work orders from outside systems (node/case/interop.h) */
    MDB_dbi deptq;   /* each department's cases (node/case/deptindex.h) */
    MDB_dbi filings; /* court filings by linkage tag (node/case/linkage.h) */
    MDB_dbi devices; /* devices of accounts (一机一账号, node/api/device.h) */
    size_t map_size;
    size_t max_map;          /* ceiling of the map in bytes; 0: none */
    uint64_t min_free;       /* free bytes the file system must keep; 0: not checked */
    uint64_t free_bytes;     /* at the last store_space_check (atomic: pool threads check) */
    int low;                 /* free_bytes < min_free at the last check (atomic) */
    uint64_t queued[STORE_MAX_DBS + 2]; /* store_queue_note's counts by dbi (atomic; LMDB
                                         * numbers the named databases after its own two) */
    pthread_rwlock_t remap;  /* store_grow excludes readers on other threads */
    struct tally *tally;     /* the counters of the write transaction folding a received
                              * group (tally.h); NULL otherwise */
    char path[4096];
} store;

/* Opens (creating when `create`) the environment in directory `dir` with at least
 * `map_size` bytes of map. Clears stale reader slots left by dead processes.
 * Returns 0 or a negative code; *out is released with store_close(). */
int store_open(const char *dir, size_t map_size, int create, store **out);

/* Closes the environment; accepts NULL and clears the caller's pointer. */
void store_close(store **s);

/* Doubles the map size, up to the ceiling. Call only with no transaction open in this
 * process. 0, JF_EFULL (already at the ceiling) or an LMDB code. */
int store_grow(store *s);

/* The ceiling of the map (0: none; below the current size: the current size) and the free
 * space to keep on the file system (0: not checked), both in bytes. */
void store_set_limits(store *s, size_t max_map, uint64_t min_free);

/* Measures the free space under the store now. 0, or JF_EFULL when it is below the floor
 * (a failing statvfs counts as room: it is logged, writes are not stopped for it). Safe on
 * any thread. */
int store_space_check(store *s);

/* The last measure: free bytes and the floor into *free_bytes, *min_free (either may be
 * NULL); returns 1 if it was below the floor, else 0. */
int store_space(store *s, uint64_t *free_bytes, uint64_t *min_free);

/* Around a read transaction on a thread other than the loop's (verify, exports): while it
 * is held, store_grow waits instead of remapping the file under the reader. */
void store_read_begin(store *s);
void store_read_end(store *s);

/* Begins a transaction (flags 0 or MDB_RDONLY). Returns 0 or an LMDB code. */
int store_txn_begin(store *s, unsigned flags, MDB_txn **txn);

/* A u64 as the 8 big-endian bytes keys sort by, and back. */
static inline void store_u64_be(uint64_t v, uint8_t *b)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint64_t store_be_u64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

/* Encodes an event key into buf (STORE_KEY_MAX bytes); returns its length, or 0 when the
 * origin is empty or longer than STORE_ORIGIN_MAX. */
size_t store_event_key(const char *origin, uint64_t seq, uint8_t *buf);

/* A key in time order: time_ms (u64be), then the event key of (origin, seq), into buf
 * (STORE_TIME_KEY_MAX bytes). Its length, or 0 as for store_event_key. */
size_t store_time_key(int64_t time_ms, const char *origin, uint64_t seq, uint8_t *buf);

/* Decodes an event key; origin gets STORE_ORIGIN_MAX + 1 bytes. Returns 0 or JF_ECORRUPT. */
int store_event_key_parse(const MDB_val *key, char *origin, uint64_t *seq);

/* The stored bytes of event (origin, seq): this node's log and its subtree's (events), or
 * an ancestor's (inbox). 0, JF_ENOTFOUND, JF_EINVAL (bad origin) or an LMDB code. */
int store_event_get(store *s, MDB_txn *txn, const char *origin, uint64_t seq, MDB_val *data);

/* Packs a protobuf message and stores it under key in dbi. 0, -ENOMEM or an LMDB code. */
int store_put_message(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                      const ProtobufCMessage *m);

/* Commits txn (durable once it returns 0) or aborts it; after either, txn is gone.
 * store_txn_abort accepts NULL. */
int store_txn_commit(MDB_txn *txn);
void store_txn_abort(MDB_txn *txn);

/* The value under key in dbi, valid until the transaction ends. 0, JF_ENOTFOUND or an
 * LMDB code. */
int store_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, MDB_val *val);

/* Reads the message under key and unpacks it as `desc`: *out is NULL when the key is
 * absent (and 0 returned); free it with protobuf_c_message_free_unpacked(*out, NULL).
 * 0, JF_ECORRUPT (does not unpack) or an LMDB code. STORE_GET_MESSAGE types the result. */
int store_get_message(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                      const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out);
#define STORE_GET_MESSAGE(txn, dbi, key, klen, desc, out)                                 \
    store_get_message(txn, dbi, key, klen, desc, (ProtobufCMessage **)(out))

/* Stores len bytes under key (replacing any value); with STORE_NEW, JF_EEXIST instead of
 * replacing. 0, JF_EEXIST or an LMDB code. */
#define STORE_NEW 1
int store_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const void *val,
              size_t len, unsigned flags);

/* Deletes key; an absent key is not an error. 0 or an LMDB code. */
int store_del(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen);

/* The number of keys in dbi into *count (0 on error). 0 or an LMDB code. */
int store_count(MDB_txn *txn, MDB_dbi dbi, uint64_t *count);

/* A range of keys to walk: those starting with `prefix` (none: every key) and, forwards,
 * from the first key >= `from`, or with `reverse`, backwards from the last key < `from`
 * (no `from`: from the first, or the last, key of the prefix). */
struct store_range {
    const void *prefix;
    size_t prefix_len;
    const void *from;
    size_t from_len;
    int reverse;
};

/* Called for each key in order; key and val are valid during the call. Returns 0 to go
 * on, STORE_STOP to end the walk (which then returns 0), or a negative code, which ends
 * the walk and is returned. It must not write to dbi. */
#define STORE_STOP 1
typedef int (*store_walk_fn)(const MDB_val *key, const MDB_val *val, void *arg);

/* Walks the range r of dbi (NULL: every key) in txn. 0 (also when fn stopped it with
 * STORE_STOP), fn's negative code, or an LMDB code. */
int store_walk(MDB_txn *txn, MDB_dbi dbi, const struct store_range *r, store_walk_fn fn,
               void *arg);

/* Called by store_walk_messages with each record unpacked (as the walk's descriptor: cast
 * m to that message type), valid during the call. Returns as a store_walk_fn does. */
typedef int (*store_message_fn)(const ProtobufCMessage *m, void *arg);

/* Walks the range r of dbi (NULL: every key) in txn like store_walk, unpacking each value
 * as `desc` for fn and freeing it after. 0 (also when fn stopped it with STORE_STOP),
 * fn's other non-zero code, JF_ECORRUPT (a value does not unpack: the walk stops there)
 * or an LMDB code. */
int store_walk_messages(MDB_txn *txn, MDB_dbi dbi, const struct store_range *r,
                        const ProtobufCMessageDescriptor *desc, store_message_fn fn,
                        void *arg);

/* The first key of the walk of range r (NULL: every key) and its value, valid until the
 * transaction ends. 0, JF_ENOTFOUND (the range is empty) or an LMDB code. */
int store_first(MDB_txn *txn, MDB_dbi dbi, const struct store_range *r, MDB_val *key,
                MDB_val *val);

/* How a counter's 8 bytes are stored: in the machine's order, or big-endian. */
enum store_codec { STORE_NATIVE, STORE_BE };

/* The counter under (dbi, key) in txn; *v = 0 when absent. One of another size than 8 is
 * JF_ECORRUPT with STORE_NATIVE, and reads as 0 with STORE_BE (the 待办 counters' rule).
 * 0 or the store's error. */
int store_counter_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, int codec,
                      uint64_t *v);
int store_counter_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, int codec,
                      uint64_t v);

/* A u64 in meta under `name` (a STORE_NATIVE counter); *v = 0 when absent. */
int store_meta_get_u64(store *s, MDB_txn *txn, const char *name, uint64_t *v);
int store_meta_put_u64(store *s, MDB_txn *txn, const char *name, uint64_t v);

/* Work queues that a drain works off (node/log/drain.h): the writer that queues work in
 * dbi notes it, in the transaction that writes it (while it holds the store's only write
 * lock); the drain reads the count of notes without a transaction, to skip a kick when
 * nothing was queued since. A note of a transaction rolled back only costs a run. Safe on
 * any thread. */
void store_queue_note(store *s, MDB_dbi dbi); /* dbi: one of s's */
uint64_t store_queue_notes(store *s, MDB_dbi dbi);

/* Bytes used by the data file and the current map size. */
void store_usage(store *s, uint64_t *used, uint64_t *map);

/* Clears reader slots of dead processes; returns how many were cleared (>= 0). */
int store_reader_check(store *s);

#endif
