/*
 * text — strings as a terminal shows them: UTF-8 checked and measured in columns (East
 * Asian wide characters take two), cut to a number of characters, and cleaned of control
 * characters so that text from the daemon can neither break a table nor drive the terminal.
 * A string that is not valid UTF-8 is measured and cut one bad byte at a time.
 */
#ifndef JIEFEN_CLI_TEXT_H
#define JIEFEN_CLI_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* The columns s takes in a terminal. */
size_t text_width(const char *s);

/* A copy of s cut to at most `max` code points, the last being '…' when cut. NULL: OOM. */
char *text_truncate(const char *s, size_t max);

/* A copy (of "" for NULL) with control characters made spaces. NULL: out of memory. */
char *text_clean_dup(const char *s);

/* Writes s to out with control characters made spaces. */
void text_put_clean(const char *s, FILE *out);

/* Writes text that may hold several lines to stdout, each line indented and cleaned. */
void text_put_block(const char *s, int indent);

/* Closes f, an open_memstream() writing *s, and returns the text: *s, malloc'd; or NULL
 * (having freed it) when writing failed or `failed` says the caller's part did. */
char *text_stream_end(FILE *f, char **s, int failed);

#endif
