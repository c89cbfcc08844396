/*
 * msg — jiefenctl's own messages on stderr (msg.h).
 */
#include "msg.h"

#include "ctl.h"

#include <stdarg.h>
#include <stdio.h>

void msg_say(const char *fmt, ...)
{
    va_list ap;
    fputs("jiefenctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int msg_usage(const char *fmt, ...)
{
    va_list ap;
    fputs("jiefenctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    ctl_usage(stderr);
    return EXIT_USAGE;
}

int msg_oom(void)
{
    msg_say("out of memory");
    return EXIT_REFUSED;
}
