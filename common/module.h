/*
 * module — the daemon's optional parts, loaded the first time they are used: the PDF
 * forms (jiefen-pdf.so: cairo, pango, libqrencode), the outbox's HTTP POST
 * (jiefen-http.so: libcurl) and the case archives' tar (jiefen-zip.so: libarchive). Each
 * library a process maps costs it its relocated data (about 1.8 MiB for these and what they
 * bring: OpenSSL, GnuTLS, GLib, X11, ICU...), so a node that never prints, exports nor
 * sends an SMS (most of a county's 400 villages on an ordinary day) never maps them.
 *
 * A module is a shared object exporting one table of function pointers (its contract is
 * its owner's header: print/pdf_ops.h, outbox/curlpost.h, zipout.h). It is looked for in
 * DIR_OF_THE_PROGRAM/../lib/jiefen/ (the build tree's build/lib/jiefen/ beside
 * build/node/jiefend; /usr/lib/jiefen/ beside /usr/sbin/jiefend), then in the build
 * tree's directory (for the test programs deeper in it). Loaded once, never unloaded;
 * safe from any thread.
 */
#ifndef JIEFEN_MODULE_H
#define JIEFEN_MODULE_H

/* The table `symbol` of the module `file` (e.g. "jiefen-pdf.so"), or NULL when it cannot
 * be loaded (logged once, with the loader's reason). */
const void *module_table(const char *file, const char *symbol);

#endif
