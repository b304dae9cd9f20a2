/* output.h: mechanism layer. What happens to a service's stdout and stderr:
 * inherit (drainit's own fds), null, prefix ("web | line" on drainit's
 * stdout/stderr) or file:PATH (appended by drainit, reopened on SIGHUP).
 * prefix and file go through a pipe that drainit reads in the loop. */
#ifndef DRAINIT_OUTPUT_H
#define DRAINIT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "supervisor.h"

/* Documented limits (man/drainit.ini.5). */
#define OUTPUT_LINE_MAX 16384		/* longer lines are split, never dropped */
#define OUTPUT_QUEUE_MAX (256 * 1024)	/* per destination; then stop reading */
#define OUTPUT_EXIT_FLUSH_MS 5000	/* at exit, wait this long for a blocked reader */

struct outstream;

/* The child's end of one start: fds for spawn_opts.stdio, and the
 * streams drainit will read once the spawn succeeded. */
struct output_start {
	int stdio[3];		/* -1: drainit's own */
	int child_end[3];	/* pipe write ends drainit closes after the spawn */
	struct outstream *st[3];
};

/* Opens /dev/null on any of fds 0-2 that is closed, so no pipe or file
 * drainit opens later can land there. Call first thing in main(). */
void output_stdio_sane(void);

int output_init(struct supervisor *sup);	/* 0 or -ENOMEM */
void output_free(struct supervisor *sup);

/* Before a service's spawn: pipes, /dev/null, files. 0, or -errno with
 * what the failing step was in what ("open /var/log/web.log"). */
int output_prepare(struct supervisor *sup, struct service *svc, struct output_start *os,
		   char *what, size_t wlen);
/* Before a drain hook's spawn: its stdout and stderr, where prefix[] says,
 * become "NAME | line" on drainit's own (name must outlive the streams);
 * the others are drainit's. 0 or -errno as output_prepare. */
int output_prepare_prefixed(struct supervisor *sup, const char *name, const bool prefix[2],
			    struct output_start *os, char *what, size_t wlen);
/* After the spawn (ok or not): closes the child's ends; when ok, starts
 * reading the service's pipes. */
void output_spawned(struct supervisor *sup, struct output_start *os, bool ok);

/* From now on drainit's own log lines are queued on a non-blocking stderr
 * (bounded like service output; past the bound they are counted and a
 * note says how many were dropped). output_free() detaches. */
void output_log_attach(struct supervisor *sup);

/* The set of services changed (a reload): prefixes are padded to the
 * longest name again, time stamps follow log_timestamps. */
void output_services_changed(struct supervisor *sup);

/* SIGHUP: reopen every file:PATH (after logrotate moved it). */
void output_reopen(struct supervisor *sup);

/* Shutdown's last stage: read what the services left in their pipes and
 * write it out; EVT_OUTPUT_FLUSHED is posted once that is done (maybe at
 * once), or after OUTPUT_EXIT_FLUSH_MS. */
void output_exit_begin(struct supervisor *sup);

/* drainit ctl logs: the last lines of a service's output that went
 * through drainit (stdout or stderr in prefix or file:PATH mode), kept
 * per service up to its log_buffer bytes, oldest lines dropped first. */
typedef void (*output_line_fn)(void *ctx, const char *line, size_t len);
/* Calls fn on each of the last n lines of service name, oldest first. */
void output_tail(struct supervisor *sup, const char *name, size_t n, output_line_fn fn, void *ctx);
/* From now on fn gets every new line of service name, as it is read,
 * until output_unfollow. fn must not call output_unfollow. NULL: no memory. */
struct output_tap;
struct output_tap *output_follow(struct supervisor *sup, const char *name, output_line_fn fn,
				 void *ctx);
void output_unfollow(struct supervisor *sup, struct output_tap *t);

#endif
