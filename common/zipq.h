/*
 * zipq — deflating on a second thread: a bounded queue of buffers, each filled by the
 * caller's thread and deflated by the queue's own thread into the zipw_def it was given
 * for (common/zipw.h). The spreadsheets' rows (node/report/xlsx.c) are formatted on one
 * core while the other deflates them.
 *
 * Buffers: zipq_buffer gives an empty buffer of the queue's size, reusing one the thread
 * has finished with; while ZIPQ_DEPTH buffers wait or are being deflated it waits for one,
 * so the memory stays bounded whatever the input. A submitted buffer belongs to the queue
 * again; every buffer is freed with the queue.
 *
 * Order: the buffers given for one deflater are deflated in the order submitted. A deflater
 * must not be used elsewhere until zipq_wait has returned.
 *
 * Errors: the first failure of the thread (a deflater's error: -EIO, -ENOMEM or a sink's)
 * is returned by every later zipq_submit and zipq_wait; the buffers after it are dropped.
 * Thread-safe between the caller and the queue's thread; the zipq_* calls themselves are
 * made by one thread.
 */
#ifndef JIEFEN_ZIPQ_H
#define JIEFEN_ZIPQ_H

#include "zipw.h"

#include <stddef.h>

#define ZIPQ_DEPTH 4 /* buffers waiting or being deflated before zipq_buffer waits */

typedef struct zipq zipq;

/* A queue of buffers of size bytes and its thread, started. 0 or -ENOMEM, -EAGAIN (no
 * thread). */
int zipq_new(size_t size, zipq **out);

/* An empty buffer of the queue's size; NULL when out of memory. */
char *zipq_buffer(zipq *q);

/* Queues the first n bytes of buf (a zipq_buffer's) for deflating into d. 0, or the
 * thread's first error (buf is taken back all the same). */
int zipq_submit(zipq *q, zipw_def *d, char *buf, size_t n);

/* Waits until every buffer submitted is deflated. 0 or the thread's first error. */
int zipq_wait(zipq *q);

/* Waits, stops the thread and frees the queue with every buffer it gave (NULL accepted). */
void zipq_free(zipq *q);

#endif
