/*
 * msg — jiefenctl's own messages on stderr (msg.h).
 */
#include "msg.h"

#include "ctl.h"

#include <stdarg.h>
#include <stdio.h>

static void (*usage)(FILE *out);

void msg_set_usage(void (*fn)(FILE *out))
{
    usage = fn;
}

/* "jiefenctl: " and the message on stderr, without the line end. */
static void put_message(const char *fmt, va_list ap)
{
    fputs("jiefenctl: ", stderr);
    vfprintf(stderr, fmt, ap);
}

void msg_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_message(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int msg_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_message(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (usage)
        usage(stderr);
    return EXIT_USAGE;
}

int msg_oom(void)
{
    msg_say("out of memory");
    return EXIT_REFUSED;
}
