#include "error.h"

#include <lmdb.h>
#include <string.h>

static const char *jf_messages[] = {
    "invalid argument",
    "corrupt data",
    "bad signature",
    "broken hash chain or sequence",
    "not found",
    "already exists",
    "locked by another process",
    "bad configuration",
    "cryptographic failure",
    "depends on an event not received yet",
    "no space left for the store",
    "store format newer than this release",
    "restored from a backup: waiting for the parent's copy of this node's chain",
    "own chain still being fetched back from the parent",
};

const char *jf_strerror(int code)
{
    if (code >= JF_EBASE && code < JF_ELAST)
        return jf_messages[code - JF_EBASE];
    if (code >= MDB_KEYEXIST && code <= MDB_LAST_ERRCODE)
        return mdb_strerror(code);
    if (code == 0)
        return "success";
    /* Positive: an errno LMDB passed through unchanged (EIO, ENOSPC). */
    return strerror(code < 0 ? -code : code);
}
