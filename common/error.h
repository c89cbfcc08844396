/*
 * error — one error convention for every module: functions return 0 or a negative code,
 * either -errno, an LMDB code (MDB_*, also negative), or one of the JF_E* codes below.
 * jf_strerror() decodes any of them, and also a positive errno: LMDB passes the system's
 * errors through as they are (a short write is EIO, a full disk ENOSPC).
 */
#ifndef JIEFEN_ERROR_H
#define JIEFEN_ERROR_H

enum {
    JF_EBASE = -40000,
    JF_EINVAL = JF_EBASE,   /* bad input; the accompanying message names what */
    JF_ECORRUPT,            /* stored or received bytes do not decode */
    JF_EBADSIG,             /* Ed25519 signature does not verify */
    JF_ECHAIN,              /* hash chain or sequence broken */
    JF_ENOTFOUND,           /* no such record */
    JF_EEXIST,              /* already exists */
    JF_ELOCKED,             /* another process holds the lock */
    JF_ECONFIG,             /* bad configuration */
    JF_ECRYPTO,             /* decryption or key failure */
    JF_ELATER,              /* depends on an event not received yet: keep and retry */
    JF_EFULL,               /* no room: free disk below [store] min_free_mb, or the map at
                             * [store] max_map_mb */
    JF_ENEWER,              /* the store's format is newer than this release knows */
    JF_ERESTORED,           /* restored from a backup: no own events until the parent's
                             * copy of this node's chain is back (log/backup.h) */
    JF_ECATCHUP,            /* this node's own chain is still being fetched back from its
                             * parent (a rebuilt node): no new event until it has caught up */
    JF_ELAST
};

/* Static string for any code this project returns. Never NULL. */
const char *jf_strerror(int code);

#endif
