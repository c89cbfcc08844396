/*
 * ledger_read — stored case views as a scan of the whole store reads them: only the fields
 * the scan names are unpacked (the others keep their defaults), into memory reused from
 * one case to the next. A ledger over three million cases then costs no malloc per case and
 * skips what it never reads (the event lists, the summary, the guidance). The memory kept
 * grows with the largest view read, never with the number of views.
 */
#ifndef JIEFEN_LEDGER_READ_H
#define JIEFEN_LEDGER_READ_H

#include "jiefen.pb-c.h"

#include <stddef.h>

typedef struct ledger_read ledger_read;

/* A reader of the n CaseView fields named (as in proto/jiefen.proto). NULL if a name is
 * not a CaseView field (the message in err, which may be NULL) or out of memory. Free with ledger_read_free. */
ledger_read *ledger_read_new(const char *const *fields, size_t n, char *err, size_t errlen);

void ledger_read_free(ledger_read **r);

/* The view stored in buf (len bytes) with only the reader's fields set: as
 * case_view_decode would unpack them, the others at their defaults. Owned by the reader,
 * valid until its next call or its free. NULL if buf is not a CaseView (corrupt) or out of
 * memory. */
const Jiefen__CaseView *ledger_read_view(ledger_read *r, const void *buf, size_t len);

#endif
