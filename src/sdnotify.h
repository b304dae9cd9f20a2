/* sdnotify.h: pure layer. The sd_notify message format: newline-separated
 * KEY=VALUE assignments in one datagram, parsed into what drainit acts on.
 * No I/O, no allocation. */
#ifndef DRAINIT_SDNOTIFY_H
#define DRAINIT_SDNOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NOTIFY_MSG_MAX 4096

/* One datagram, parsed. Unknown assignments are ignored. */
struct notify_msg {
	bool ready;		/* READY=1 */
	bool stopping;		/* STOPPING=1 */
	bool watchdog;		/* WATCHDOG=1 */
	bool watchdog_trigger;	/* WATCHDOG=trigger */
	bool has_status;
	char status[160];	/* STATUS=..., control characters replaced */
	bool has_mainpid;
	pid_t mainpid;		/* MAINPID=N */
	bool bad_mainpid;	/* MAINPID= that is not a positive number */
};

/* Newline-separated KEY=VALUE lines. 0, or -EINVAL for an empty message
 * or one with a NUL byte. Pure. */
int notify_parse(const char *buf, size_t len, struct notify_msg *m);

#endif
