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
};

const char *jf_strerror(int code)
{
    if (code >= JF_EBASE && code < JF_ELAST)
        return jf_messages[code - JF_EBASE];
    if (code >= MDB_KEYEXIST && code <= MDB_LAST_ERRCODE)
        return mdb_strerror(code);
    if (code < 0)
        return strerror(-code);
    return code == 0 ? "success" : "unknown error";
}
