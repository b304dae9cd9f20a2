/* output.c: mechanism layer. Services' stdout and stderr in prefix and
 * file:PATH modes, and drainit's own log queue.
 *
 *   service --pipe--> outstream (ibuf: at most one line) --lines--> sink --> fd
 *
 * A stream is the read end of one service pipe (O_NONBLOCK, an ev_io in
 * the loop). It cuts what it reads into lines and hands each whole line
 * to its sink: drainit's stdout or stderr ("web | line", names padded)
 * or a file (the line as is). A line longer than OUTPUT_LINE_MAX is cut
 * into pieces of that size; a last line without a newline is given one
 * when the pipe closes. Nothing is dropped while the sink can write.
 *
 * A sink queues at most about OUTPUT_QUEUE_MAX bytes. When it is full
 * its streams stop reading (their ev_io is stopped): the pipe fills and
 * the service blocks in write(2), as on a slow terminal. When the sink's
 * writes catch up (an EV_WRITE watcher, active only while it is behind)
 * the streams resume. So memory is bounded and no line is lost.
 *
 * Writes never block the loop: drainit's stdout/stderr, when a pipe or a
 * terminal, is reopened through /proc/self/fd as a private O_NONBLOCK
 * description (setting O_NONBLOCK on the shared one would surprise the
 * services and shells sharing it); a socket gets send(MSG_DONTWAIT); if
 * neither works, poll() with no timeout guards each write of at most
 * PIPE_BUF bytes. Each write is whole lines of at most PIPE_BUF bytes
 * when possible, so lines stay whole beside other writers of the same
 * pipe (drainit's log, services in inherit mode).
 *
 * A write error (a full disk, a reader gone) is logged once, the queued
 * bytes are dropped and the streams keep being read, so neither the
 * loop nor the service blocks; the first write that works again is
 * logged with the number of bytes lost.
 *
 * At exit (output_exit_begin) each stream is read until its pipe is
 * empty (EOF, or EAGAIN when a leftover descendant holds it open) and
 * the sinks are flushed, for at most OUTPUT_EXIT_FLUSH_MS; then
 * EVT_OUTPUT_FLUSHED is posted (once). */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define IBUF_CAP (OUTPUT_LINE_MAX + 1)	/* a full line and its newline */
#define PREFIX_MAX 128			/* name (<= 64), " | ", time stamp */
/* drainit's own lines during a shutdown may go this far past the bound, so
 * that a stalled log reader still gets the stages and the summary */
#define LOG_RESERVE 32768
#define SINK_CAP (OUTPUT_QUEUE_MAX + OUTPUT_LINE_MAX + PREFIX_MAX + 1 + LOG_RESERVE)
#define SINK_LOW (OUTPUT_QUEUE_MAX / 2)	/* resume reading below this */

struct sink {
	struct sink *next;
	struct output *out;
	int target;		/* 1, 2: drainit's stdout, stderr; 0: a file */
	char *path;		/* file sinks */
	int fd;			/* -1: none (a file that could not be reopened) */
	bool own_fd;		/* ours to close */
	bool sock;		/* send(MSG_DONTWAIT) */
	bool guard;		/* a blocking fd: poll() first, write <= PIPE_BUF */
	bool flushing;		/* in sink_flush (its log lines only queue) */
	char *buf;		/* SINK_CAP bytes once used */
	size_t head, len;
	ev_io wio;		/* active only while writes would block */
	bool failing;		/* a write error has been logged */
	unsigned long long dropped;
	size_t npaused;		/* streams waiting for room */
	const struct outstream *last_st;	/* the stream that queued last ... */
	char last[72];		/* ... and its name, for the log */
};

/* The last log_buffer bytes of whole lines of one service: in buf, of
 * twice that, from start to end; compacted when end reaches the end of
 * buf, so each byte is moved about once. */
struct logring {
	struct logring *next;
	char *name;		/* a copy: a reload may free the configuration */
	char *buf;		/* 2 * cap bytes once a line came */
	size_t cap, start, end;
};

struct output_tap {
	struct output_tap *next;
	char *name;
	output_line_fn fn;
	void *ctx;
};

struct outstream {
	struct outstream *next;
	struct output *out;
	char *name;		/* a copy: a reload may free the configuration */
	int fd;
	ev_io rio;
	struct sink *sink;
	bool prefix;		/* "name | " before each line */
	bool linked;		/* in out->streams */
	bool paused;		/* waiting for room in the sink */
	bool eof;		/* nothing more to read */
	struct logring *ring;	/* NULL: log_buffer = 0 */
	char *ibuf;
	size_t ilen;
};

struct output {
	struct supervisor *sup;
	struct sink *sinks;
	struct outstream *streams;
	struct logring *rings;
	struct output_tap *taps;
	int devnull;
	int width;		/* longest service name */
	bool timestamps;
	bool exiting;
	bool flushed;		/* EVT_OUTPUT_FLUSHED posted */
	unsigned long log_dropped;	/* drainit's own lines, stderr full */
	ev_timer exit_timer;
};

static void sink_flush(struct sink *k);
static void exit_timer_cb(EV_P_ ev_timer *w, int revents);
static void exit_check(struct output *out);

void
output_stdio_sane(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			/* Deliberately inheritable: it stands in for stdio. */
			int n = open("/dev/null", O_RDWR);
			if (n >= 0 && n != fd)
				close(n);	/* cannot happen: lowest free fd */
		}
}

int
output_init(struct supervisor *sup)
{
	struct output *out = calloc(1, sizeof(*out));
	const struct config *c = sup->cfg;

	if (!out)
		return -ENOMEM;
	out->sup = sup;
	out->devnull = -1;
	out->timestamps = c->log_timestamps;
	ev_init(&out->exit_timer, exit_timer_cb);
	for (size_t i = 0; i < c->nsvcs; i++) {
		int n = (int)strlen(c->svcs[i].name);
		if (n > out->width)
			out->width = n;
	}
	sup->out = out;
	return 0;
}

/* ---- sinks ----------------------------------------------------------------- */

/* "service web: ... output file /x" / "... its output to drainit's stdout" */
static const char *
sink_label(const struct sink *k, char *buf, size_t len)
{
	if (k->target)
		snprintf(buf, len, "its output to drainit's %s", k->target == 1 ? "stdout" : "stderr");
	else
		snprintf(buf, len, "output file %s", k->path);
	return buf;
}

static void
stream_wake(struct outstream *st)
{
	struct ev_loop *loop = st->out->sup->loop;

	st->paused = false;
	st->sink->npaused--;
	if (!st->eof)
		ev_io_start(loop, &st->rio);
	/* What is already in ibuf must go on even if the pipe stays quiet. */
	ev_feed_event(loop, &st->rio, EV_READ);
}

static void
sink_wake(struct sink *k)
{
	if (k->npaused == 0 || k->len > SINK_LOW)
		return;
	for (struct outstream *st = k->out->streams; st; st = st->next)
		if (st->sink == k && st->paused)
			stream_wake(st);
}

static void
sink_fail(struct sink *k, int err)
{
	char lbl[PATH_MAX + 32];

	if (!k->failing)
		log_warn("service %s: cannot write %s: %s; dropping output until writes succeed again",
			 k->last[0] ? k->last : "?", sink_label(k, lbl, sizeof(lbl)), strerror(err));
	k->failing = true;
	k->dropped += k->len;
	k->head = k->len = 0;
}

static void
sink_cb(EV_P_ ev_io *w, int revents)
{
	struct sink *k = container_of(w, struct sink, wio);
	struct output *out = k->out;

	(void)loop;
	(void)revents;
	sink_flush(k);
	if (out->exiting)
		exit_check(out);
}

/* Writes what is queued, as far as the fd takes it without blocking. */
static void
sink_flush(struct sink *k)
{
	struct ev_loop *loop = k->out->sup->loop;
	char lbl[PATH_MAX + 32];

	k->flushing = true;
	while (k->len > 0) {
		const char *p = k->buf + k->head;
		size_t n = k->len;
		ssize_t w;

		if (k->fd < 0) {
			sink_fail(k, EBADF);
			break;
		}
		if (n > PIPE_BUF) {
			/* Whole lines, at most PIPE_BUF bytes: one atomic pipe write. */
			const char *nl = memrchr(p, '\n', PIPE_BUF);
			if (!nl)
				nl = memchr(p, '\n', n);
			if (nl)
				n = (size_t)(nl - p) + 1;
		}
		if (k->guard) {
			struct pollfd pfd = { .fd = k->fd, .events = POLLOUT };
			if (poll(&pfd, 1, 0) == 0) {
				ev_io_start(loop, &k->wio);
				k->flushing = false;
				return;
			}
			if (n > PIPE_BUF)
				n = PIPE_BUF;
		}
		if (k->sock)
			w = send(k->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = write(k->fd, p, n);
		if (w > 0) {
			k->head += (size_t)w;
			k->len -= (size_t)w;
			if (k->failing) {
				log_info("service %s: writing %s again (%llu bytes were dropped)",
					 k->last[0] ? k->last : "?", sink_label(k, lbl, sizeof(lbl)),
					 k->dropped);
				k->failing = false;
				k->dropped = 0;
			}
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_start(loop, &k->wio);
			k->flushing = false;
			return;
		}
		sink_fail(k, w < 0 ? errno : EIO);
	}
	k->flushing = false;
	k->head = 0;
	ev_io_stop(loop, &k->wio);
	sink_wake(k);
}

static struct sink *
sink_new(struct output *out, int target, int fd)
{
	struct sink *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->out = out;
	k->target = target;
	k->fd = fd;
	ev_io_init(&k->wio, sink_cb, fd, EV_WRITE);
	k->next = out->sinks;
	out->sinks = k;
	return k;
}

/* drainit's stdout (1) or stderr (2), set up for writes that never block. */
static struct sink *
sink_std(struct output *out, int target)
{
	struct sink *k;
	struct stat st;
	char path[32];
	int fd = target;
	bool own = false, sock = false, guard = false;

	for (k = out->sinks; k; k = k->next)
		if (k->target == target)
			return k;
	if (fstat(target, &st) == 0 && S_ISREG(st.st_mode)) {
		/* a regular file does not block */
	} else if (fstat(target, &st) == 0 && S_ISSOCK(st.st_mode)) {
		sock = true;
	} else {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", target);
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			own = true;
		} else {
			fd = target;
			guard = true;
		}
	}
	k = sink_new(out, target, fd);
	if (!k) {
		if (own)
			close(fd);
		return NULL;
	}
	k->own_fd = own;
	k->sock = sock;
	k->guard = guard;
	return k;
}

static int
open_log_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
}

/* A file:PATH sink, shared by every stream naming the same PATH. */
static int
sink_file(struct output *out, const char *path, struct sink **ret)
{
	struct sink *k;
	int fd;

	for (k = out->sinks; k; k = k->next)
		if (!k->target && strcmp(k->path, path) == 0) {
			*ret = k;
			return 0;
		}
	fd = open_log_file(path);
	if (fd < 0)
		return -errno;
	k = sink_new(out, 0, fd);
	if (k)
		k->path = strdup(path);
	if (!k || !k->path) {
		close(fd);
		if (k) {
			out->sinks = k->next;
			free(k);
		}
		return -ENOMEM;
	}
	k->own_fd = true;
	*ret = k;
	return 0;
}

/* Room for one more line: the bound is soft by at most one line. */
static bool
sink_room(const struct sink *k)
{
	return k->len < OUTPUT_QUEUE_MAX;
}

/* Queues one line (without its newline), prefixed when the stream says. */
static int
sink_line(struct outstream *st, const char *ts, const char *data, size_t len)
{
	struct sink *k = st->sink;
	struct output *out = st->out;
	size_t need = len + 1 + PREFIX_MAX;
	char *p;

	if (!k->buf && !(k->buf = malloc(SINK_CAP)))
		return -ENOMEM;
	if (k->head + k->len + need > SINK_CAP) {
		memmove(k->buf, k->buf + k->head, k->len);
		k->head = 0;
	}
	p = k->buf + k->head + k->len;
	if (k->last_st != st) {
		k->last_st = st;
		snprintf(k->last, sizeof(k->last), "%s", st->name);
	}
	if (st->prefix) {
		size_t nl = strlen(st->name);
		memcpy(p, st->name, nl);
		p += nl;
		for (; nl < (size_t)out->width; nl++)
			*p++ = ' ';
		memcpy(p, " | ", 3);
		p += 3;
		if (ts) {
			size_t tl = strlen(ts);
			memcpy(p, ts, tl);
			p += tl;
			*p++ = ' ';
		}
	}
	memcpy(p, data, len);
	p += len;
	*p++ = '\n';
	k->len = (size_t)(p - (k->buf + k->head));
	return 0;
}

/* ---- the log buffers of drainit ctl logs ------------------------------------ */

/* The ring at a new size: the last whole lines that fit stay. Out of
 * memory: it keeps its old size. */
static void
ring_resize(struct logring *r, size_t cap)
{
	char *nb;

	if (!r->buf) {
		r->cap = cap;
		return;
	}
	if (!(nb = malloc(2 * cap)))
		return;
	while (r->end - r->start > cap) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		r->start = (size_t)(nl - r->buf) + 1;
	}
	memcpy(nb, r->buf + r->start, r->end - r->start);
	r->end -= r->start;
	r->start = 0;
	free(r->buf);
	r->buf = nb;
	r->cap = cap;
}

static struct logring *
ring_of(struct output *out, const struct svc_config *c)
{
	struct logring *r;

	if (c->log_buffer == 0)
		return NULL;
	for (r = out->rings; r; r = r->next)
		if (strcmp(r->name, c->name) == 0) {
			if (r->cap != c->log_buffer)
				ring_resize(r, c->log_buffer);	/* a reload changed log_buffer */
			return r;
		}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->name = strdup(c->name);
	if (!r->name) {
		free(r);
		return NULL;
	}
	r->cap = c->log_buffer;
	r->next = out->rings;
	out->rings = r;
	return r;
}

static void
ring_add(struct logring *r, const char *data, size_t len)
{
	if (len + 1 > r->cap)
		len = r->cap - 1;	/* the start of a line longer than the buffer */
	if (!r->buf && !(r->buf = malloc(2 * r->cap)))
		return;
	if (r->end + len + 1 > 2 * r->cap) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	memcpy(r->buf + r->end, data, len);
	r->buf[r->end + len] = '\n';
	r->end += len + 1;
	while (r->end - r->start > r->cap) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		r->start = (size_t)(nl - r->buf) + 1;
	}
}

static void
line_seen(struct outstream *st, const char *data, size_t len)
{
	if (st->ring)
		ring_add(st->ring, data, len);
	for (struct output_tap *t = st->out->taps; t; t = t->next)
		if (strcmp(t->name, st->name) == 0)
			t->fn(t->ctx, data, len);
}

void
output_tail(struct supervisor *sup, const char *name, size_t n, output_line_fn fn, void *ctx)
{
	struct logring *r;
	size_t p, seen = 0;

	for (r = sup->out ? sup->out->rings : NULL; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			break;
	if (!r || !r->buf || n == 0)
		return;
	/* back from the end to the start of the n-th last line */
	for (p = r->end - 1; p > r->start; p--)
		if (r->buf[p - 1] == '\n' && ++seen == n)
			break;
	while (p < r->end) {
		char *nl = memchr(r->buf + p, '\n', r->end - p);
		fn(ctx, r->buf + p, (size_t)(nl - (r->buf + p)));
		p = (size_t)(nl - r->buf) + 1;
	}
}

struct output_tap *
output_follow(struct supervisor *sup, const char *name, output_line_fn fn, void *ctx)
{
	struct output_tap *t = sup->out ? calloc(1, sizeof(*t)) : NULL;

	if (!t)
		return NULL;
	if (!(t->name = strdup(name))) {
		free(t);
		return NULL;
	}
	t->fn = fn;
	t->ctx = ctx;
	t->next = sup->out->taps;
	sup->out->taps = t;
	return t;
}

void
output_unfollow(struct supervisor *sup, struct output_tap *t)
{
	struct output_tap **pp;

	if (!t || !sup->out)
		return;
	for (pp = &sup->out->taps; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	free(t->name);
	free(t);
}

/* ---- streams ----------------------------------------------------------- */

static void
stream_free(struct outstream *st)
{
	struct output *out = st->out;

	if (st->linked) {
		struct outstream **pp = &out->streams;
		while (*pp != st)
			pp = &(*pp)->next;
		*pp = st->next;
		ev_io_stop(out->sup->loop, &st->rio);
	}
	if (st->paused)
		st->sink->npaused--;
	if (st->sink && st->sink->last_st == st)
		st->sink->last_st = NULL;	/* the name stays in last */
	if (st->fd >= 0)
		close(st->fd);
	free(st->ibuf);
	free(st->name);
	free(st);
}

/* Hands every complete line in ibuf to the sink while it has room. At
 * EOF the rest is a line too. */
static void
stream_emit(struct outstream *st)
{
	struct output *out = st->out;
	size_t pos = 0;
	char ts[64];
	bool have_ts = false;

	while (pos < st->ilen) {
		const char *start = st->ibuf + pos, *nl;
		size_t avail = st->ilen - pos, llen, used;

		nl = memchr(start, '\n', avail > OUTPUT_LINE_MAX ? OUTPUT_LINE_MAX + 1 : avail);
		if (nl) {
			llen = (size_t)(nl - start);
			used = llen + 1;
		} else if (avail > OUTPUT_LINE_MAX) {
			llen = used = OUTPUT_LINE_MAX;
		} else if (st->eof) {
			llen = used = avail;
		} else {
			break;
		}
		if (!sink_room(st->sink)) {
			if (!st->paused) {
				st->paused = true;
				st->sink->npaused++;
				ev_io_stop(out->sup->loop, &st->rio);
			}
			break;
		}
		if (st->prefix && out->timestamps && !have_ts) {
			ev_tstamp now = ev_now(out->sup->loop);
			time_t sec = (time_t)now;

			format_utc_ms(sec, (int)((now - (ev_tstamp)sec) * 1000) % 1000, ts,
				      sizeof(ts));
			have_ts = true;
		}
		if (sink_line(st, have_ts ? ts : NULL, start, llen) < 0) {
			/* No memory for the queue: count it as dropped, keep reading. */
			st->sink->dropped += llen;
		}
		line_seen(st, start, llen);
		pos += used;
	}
	if (pos > 0) {
		memmove(st->ibuf, st->ibuf + pos, st->ilen - pos);
		st->ilen -= pos;
	}
}

/* One read, then the lines it completed. false: the stream is gone. */
static bool
stream_pump(struct outstream *st)
{
	struct output *out = st->out;
	struct sink *k = st->sink;

	if (st->paused)
		return true;
	if (!st->eof && st->ilen < IBUF_CAP) {
		ssize_t n = read(st->fd, st->ibuf + st->ilen, IBUF_CAP - st->ilen);

		if (n > 0) {
			st->ilen += (size_t)n;
		} else if (n == 0) {
			st->eof = true;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* At exit: a descendant may hold the pipe for ever; what
			 * the service wrote before it ended is all here. */
			if (out->exiting)
				st->eof = true;
		} else if (errno != EINTR) {
			log_warn("service %s: reading its output: %s", st->name, strerror(errno));
			st->eof = true;
		}
		if (st->eof)
			ev_io_stop(out->sup->loop, &st->rio);
	}
	stream_emit(st);
	sink_flush(k);
	if (st->eof && st->ilen == 0) {
		stream_free(st);
		return false;
	}
	return true;
}

static void
stream_cb(EV_P_ ev_io *w, int revents)
{
	struct outstream *st = container_of(w, struct outstream, rio);
	struct output *out = st->out;

	(void)loop;
	(void)revents;
	stream_pump(st);
	if (out->exiting)
		exit_check(out);
}

static struct outstream *
stream_new(struct output *out, const char *name, struct logring *ring, struct sink *k,
	   bool prefix, int *child_end)
{
	struct outstream *st = calloc(1, sizeof(*st));
	int fds[2];

	if (!st)
		return NULL;
	st->ibuf = malloc(IBUF_CAP);
	st->name = strdup(name);
	if (!st->ibuf || !st->name || pipe2(fds, O_CLOEXEC) < 0) {
		int e = st->ibuf && st->name ? errno : ENOMEM;
		free(st->ibuf);
		free(st->name);
		free(st);
		errno = e;
		return NULL;
	}
	(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
	st->out = out;
	st->fd = fds[0];
	st->sink = k;
	st->prefix = prefix;
	st->ring = ring;
	ev_io_init(&st->rio, stream_cb, fds[0], EV_READ);
	*child_end = fds[1];
	return st;
}

/* ---- the service side -------------------------------------------------- */

static int
devnull(struct output *out)
{
	if (out->devnull < 0)
		out->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	return out->devnull < 0 ? -errno : out->devnull;
}

int
output_prepare(struct supervisor *sup, struct service *svc, struct output_start *os,
	       char *what, size_t wlen)
{
	static const char *const names[3] = { "stdin", "stdout", "stderr" };
	struct output *out = sup->out;
	const struct svc_config *c = svc->cfg;
	int r = 0;

	for (int i = 0; i < 3; i++) {
		os->stdio[i] = os->child_end[i] = -1;
		os->st[i] = NULL;
	}
	if (!out)
		return 0;
	if (c->stdin_mode == STDIN_NULL) {
		if ((r = devnull(out)) < 0) {
			snprintf(what, wlen, "open /dev/null");
			goto fail;
		}
		os->stdio[0] = r;
	}
	for (int i = 1; i <= 2; i++) {
		struct sink *k = NULL;

		switch (c->out[i - 1]) {
		case OUT_NULL:
			if ((r = devnull(out)) < 0) {
				snprintf(what, wlen, "open /dev/null");
				goto fail;
			}
			os->stdio[i] = r;
			continue;
		case OUT_PREFIX:
			k = sink_std(out, i);
			if (!k) {
				r = -ENOMEM;
				snprintf(what, wlen, "%s", names[i]);
				goto fail;
			}
			break;
		case OUT_FILE:
			r = sink_file(out, c->out_path[i - 1], &k);
			if (r < 0) {
				snprintf(what, wlen, "open %s", c->out_path[i - 1]);
				goto fail;
			}
			break;
		case OUT_DEFAULT:
		case OUT_INHERIT:
		default:
			continue;
		}
		os->st[i] = stream_new(out, c->name, ring_of(out, c), k, c->out[i - 1] == OUT_PREFIX,
				       &os->child_end[i]);
		if (!os->st[i]) {
			r = -errno;
			snprintf(what, wlen, "%s pipe", names[i]);
			goto fail;
		}
		os->stdio[i] = os->child_end[i];
	}
	return 0;
fail:
	output_spawned(sup, os, false);
	return r;
}

int
output_prepare_prefixed(struct supervisor *sup, const char *name, const bool prefix[2],
			struct output_start *os, char *what, size_t wlen)
{
	struct output *out = sup->out;

	for (int i = 0; i < 3; i++) {
		os->stdio[i] = os->child_end[i] = -1;
		os->st[i] = NULL;
	}
	for (int i = 1; out && i <= 2; i++) {
		struct sink *k;

		if (!prefix[i - 1])
			continue;
		if (!(k = sink_std(out, i)) ||
		    !(os->st[i] = stream_new(out, name, NULL, k, true, &os->child_end[i]))) {
			int r = k ? -errno : -ENOMEM;

			snprintf(what, wlen, "%s pipe", i == 1 ? "stdout" : "stderr");
			output_spawned(sup, os, false);
			return r;
		}
		os->stdio[i] = os->child_end[i];
	}
	return 0;
}

void
output_spawned(struct supervisor *sup, struct output_start *os, bool ok)
{
	struct output *out = sup->out;

	for (int i = 0; i < 3; i++) {
		struct outstream *st = os->st[i];

		if (os->child_end[i] >= 0)
			close(os->child_end[i]);
		os->child_end[i] = -1;
		if (!st)
			continue;
		os->st[i] = NULL;
		if (!ok) {
			stream_free(st);
			continue;
		}
		st->next = out->streams;
		out->streams = st;
		st->linked = true;
		ev_io_start(sup->loop, &st->rio);
	}
}

void
output_services_changed(struct supervisor *sup)
{
	struct output *out = sup->out;

	if (!out)
		return;
	out->width = 0;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		int n = (int)strlen(sup->svcs[i]->cfg->name);
		if (n > out->width)
			out->width = n;
	}
	out->timestamps = sup->cfg->log_timestamps;
}

void
output_reopen(struct supervisor *sup)
{
	struct output *out = sup->out;

	for (struct sink *k = out ? out->sinks : NULL; k; k = k->next) {
		int fd;

		if (k->target)
			continue;
		fd = open_log_file(k->path);
		if (fd < 0) {
			log_warn("cannot reopen output file %s: %s; still writing to the old one",
				 k->path, strerror(errno));
			continue;
		}
		ev_io_stop(sup->loop, &k->wio);
		if (k->fd >= 0)
			close(k->fd);
		k->fd = fd;
		ev_io_set(&k->wio, fd, EV_WRITE);
		log_info("reopened output file %s", k->path);
		sink_flush(k);
	}
}

/* ---- exit ------------------------------------------------------------------ */

static void
exit_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct output *out = container_of(w, struct output, exit_timer);
	size_t left = 0, streams = 0;
	char dbuf[32];

	(void)loop;
	(void)revents;
	for (struct sink *k = out->sinks; k; k = k->next)
		left += k->len;
	for (struct outstream *st = out->streams; st; st = st->next)
		streams++;
	log_warn("output: gave up after %s: %zu bytes not written, %zu pipe%s not drained (is the reader of drainit's output stuck?)",
		 format_duration(OUTPUT_EXIT_FLUSH_MS, dbuf, sizeof(dbuf)), left, streams,
		 streams == 1 ? "" : "s");
	out->flushed = true;
	sup_post(out->sup, &(struct event){ .kind = EVT_OUTPUT_FLUSHED });
}

/* Posts EVT_OUTPUT_FLUSHED once nothing is left to read or write. */
static void
exit_check(struct output *out)
{
	if (out->flushed || out->streams)
		return;
	for (struct sink *k = out->sinks; k; k = k->next)
		if (k->len > 0)
			return;
	ev_timer_stop(out->sup->loop, &out->exit_timer);
	out->flushed = true;
	sup_post(out->sup, &(struct event){ .kind = EVT_OUTPUT_FLUSHED });
}

void
output_exit_begin(struct supervisor *sup)
{
	struct output *out = sup->out;

	if (!out) {
		sup_post(sup, &(struct event){ .kind = EVT_OUTPUT_FLUSHED });
		return;
	}
	if (out->exiting)
		return;
	out->exiting = true;
	/* Read what is in every pipe now; the loop does the rest. */
	for (struct outstream *st = out->streams, *next; st; st = next) {
		next = st->next;
		for (int i = 0; i < 64 && !st->paused; i++)
			if (!stream_pump(st))
				break;
	}
	ev_timer_set(&out->exit_timer, OUTPUT_EXIT_FLUSH_MS / 1000.0, 0.);
	ev_timer_start(sup->loop, &out->exit_timer);
	exit_check(out);
}

/* Queues one of drainit's own log lines on its stderr sink. */
static int
output_log_write(void *arg, const char *line, size_t len)
{
	struct output *out = arg;
	struct sink *k = sink_std(out, STDERR_FILENO);
	char note[96];
	int n;

	if (!k || len > OUTPUT_LINE_MAX)
		return -1;	/* written directly */
	/* Nothing queued: try the fd first (non-blocking), so the common case
	 * costs one write and the queue's buffer is only made when needed. */
	if (k->len == 0 && !k->flushing && !k->guard && k->fd >= 0 && !out->log_dropped) {
		ssize_t w = k->sock ? send(k->fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL)
				    : write(k->fd, line, len);
		if (w == (ssize_t)len)
			return 0;
		if (w > 0) {
			line += w;	/* a partial write: queue the rest */
			len -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			return 0;	/* a closed stderr: nothing to do about it */
		}
	}
	if (!k->buf && !(k->buf = malloc(SINK_CAP)))
		return -1;
	if (!sink_room(k) && !(out->sup->stage != STAGE_RUNNING &&
			       k->len + len + 96 < OUTPUT_QUEUE_MAX + LOG_RESERVE)) {
		out->log_dropped++;	/* never block, never grow: count */
		return 0;
	}
	if (k->head + k->len + len + sizeof(note) > SINK_CAP) {
		memmove(k->buf, k->buf + k->head, k->len);
		k->head = 0;
	}
	if (out->log_dropped) {
		n = snprintf(note, sizeof(note), "drainit: %lu log lines dropped (stderr not read)\n",
			     out->log_dropped);
		memcpy(k->buf + k->head + k->len, note, (size_t)n);
		k->len += (size_t)n;
		out->log_dropped = 0;
	}
	memcpy(k->buf + k->head + k->len, line, len);
	k->len += len;
	if (!k->flushing)
		sink_flush(k);
	return 0;
}

void
output_log_attach(struct supervisor *sup)
{
	if (sup->out)
		log_set_writer(output_log_write, sup->out);
}

void
output_free(struct supervisor *sup)
{
	struct output *out = sup->out;

	log_set_writer(NULL, NULL);
	if (!out)
		return;
	while (out->streams)
		stream_free(out->streams);
	while (out->sinks) {
		struct sink *k = out->sinks;
		out->sinks = k->next;
		ev_io_stop(sup->loop, &k->wio);
		if (k->own_fd && k->fd >= 0)
			close(k->fd);
		free(k->path);
		free(k->buf);
		free(k);
	}
	while (out->rings) {
		struct logring *r = out->rings;
		out->rings = r->next;
		free(r->buf);
		free(r->name);
		free(r);
	}
	while (out->taps)
		output_unfollow(sup, out->taps);
	ev_timer_stop(sup->loop, &out->exit_timer);
	if (out->devnull >= 0)
		close(out->devnull);
	free(out);
	sup->out = NULL;
}
