/* service.c: mechanism layer. Starts a service's process and signals it.
 *
 * A service's process starts as the leader of its own process group. The
 * target of every signal is decided when it is sent (service_target):
 * the current group of the tracked pid when that is the pid's own group
 * or the one drainit made, else the pid alone (an adopted daemon in
 * drainit's group, or in a group drainit does not own); once the main
 * process is gone, the group drainit made, as long as it has members.
 * Never: changes a service's state or decides what an exit means (that
 * is lifecycle.c). */
#include "service.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#include "env.h"
#include "log.h"
#include "notify.h"
#include "output.h"
#include "procset.h"
#include "spawn.h"

/* The environment a service starts with: drainit's own, plus what the
 * service's settings add. Built before fork, into svc->envp. */
static int
service_env(struct supervisor *sup, struct service *svc)
{
	struct envbuf e;

	if (env_init(&e, environ) < 0 ||
	    procset_env(svc->cfg, &e) < 0 ||	/* clear_env, env_file, env */
	    notify_env(sup, svc, &e) < 0) {	/* NOTIFY_SOCKET for ready = notify */
		env_free(&e);
		return -ENOMEM;
	}
	argv_free(svc->envp);
	svc->envp = env_take(&e);
	return 0;
}

/* runtime_directory = NAME: /run/NAME, 0755, owned by the service's
 * user and group; made anew if gone, never followed through a symlink. */
static int
runtime_dir(const struct svc_config *c, char *what, size_t wlen)
{
	char path[sizeof(RUNTIME_DIR_BASE) + 72];	/* the name is at most 64 bytes */
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", RUNTIME_DIR_BASE, c->runtime_directory);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(what, wlen, "runtime_directory: mkdir %s", path);
		return r;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(what, wlen, "runtime_directory: open %s", path);
		return r;
	}
	if (fchown(fd, c->has_uid ? c->uid : (uid_t)-1, c->has_gid ? c->gid : (gid_t)-1) < 0) {
		r = -errno;
		snprintf(what, wlen, "runtime_directory: chown %s", path);
	} else if (fchmod(fd, 0755) < 0) {
		r = -errno;
		snprintf(what, wlen, "runtime_directory: chmod %s", path);
	}
	close(fd);
	return r;
}

int
service_spawn(struct supervisor *sup, struct service *svc)
{
	struct spawn_req req = {
		.argv = svc->cfg->argv,
		.dir = svc->cfg->directory,
		/* drainit -- CMD on a terminal: CMD gets the terminal, as under tini */
		.foreground = sup->cfg->single,
	};
	struct spawn_opts opts = { 0 };
	struct spawn_rlimit rl[_LIM_MAX];
	struct output_start os;
	char oom[16], what[PATH_MAX + 16] = "fork";
	int r;

	svc->proc.kind = PROC_SERVICE;
	r = service_env(sup, svc);
	req.envp = svc->envp;
	procset_spawn_opts(svc->cfg, &opts, rl, oom);
	if (r == 0 && svc->cfg->runtime_directory)
		r = runtime_dir(svc->cfg, what, sizeof(what));
	if (r == 0)
		r = output_prepare(sup, svc, &os, what, sizeof(what));
	if (r == 0) {
		memcpy(opts.stdio, os.stdio, sizeof(opts.stdio));
		req.opts = &opts;
		r = spawn_start(sup, &svc->proc, &req);
		output_spawned(sup, &os, r == 0);
		if (r < 0)
			snprintf(what, sizeof(what), "fork");
	}
	if (r < 0) {
		log_error("service %s: failed to start: %s: %s", svc->cfg->name, what, strerror(-r));
		svc->proc.pid = 0;
		svc->proc.fail_step = SPAWN_STEP_NONE;
		svc->proc.fail_errno = -r;
		return r;
	}
	svc->spawn_pgid = svc->proc.pid;
	svc->main_exited = false;
	log_info("service %s (pid %d): starting: %s", svc->cfg->name, (int)svc->proc.pid,
		 svc->cfg->command);
	return 0;
}

pid_t
service_target(struct supervisor *sup, const struct service *svc)
{
	pid_t pid = svc->proc.pid, pg;

	if (svc->main_exited || pid <= 0)
		return svc->spawn_pgid > 0 ? -svc->spawn_pgid : 0;
	pg = sup->sys->getpgid(pid);
	/* Its own group, or the one drainit made for it: the whole group. So
	 * is a group in a session other than drainit's: a session's members
	 * all descend from the process that made it, and that one descends
	 * from drainit (the tracked pid is drainit's child). Any other group
	 * (drainit's own, a stranger's in drainit's session): the pid alone. */
	if (pg > 0 && (pg == pid || pg == svc->spawn_pgid))
		return -pg;
	if (pg > 0) {
		pid_t sid = sup->sys->getsid(pid), own = sup->sys->getsid(0);
		if (sid > 0 && sid != own)
			return -pg;
	}
	return pid;
}

const char *
service_target_name(struct supervisor *sup, const struct service *svc, char *buf, size_t len)
{
	pid_t t = service_target(sup, svc);

	snprintf(buf, len, "%s %d", t < 0 ? "pgid" : "pid", (int)(t < 0 ? -t : t));
	return buf;
}

/* Where sig goes: service_target(), except that with --single-child
 * every signal but SIGKILL goes to the main process alone while it runs. */
static pid_t
signal_target(struct supervisor *sup, const struct service *svc, int sig)
{
	if (svc->cfg->single_child && sig != SIGKILL && !svc->main_exited && svc->proc.pid > 0)
		return svc->proc.pid;
	return service_target(sup, svc);
}

/* Sends sig to target, a pid or -pgid signal_target() chose. */
static int
signal_to(struct supervisor *sup, struct service *svc, int sig, pid_t target)
{
	if (sup->sys->kill(target, sig) < 0) {
		int e = errno;
		/* ESRCH: the group is already gone, the reap is on its way. */
		if (e != ESRCH)
			log_warn("service %s (pid %d): cannot send %s to %s %d: %s", svc->cfg->name,
				 (int)svc->proc.pid, signal_name(sig),
				 target < 0 ? "process group" : "pid", (int)(target < 0 ? -target : target),
				 strerror(e));
		return -e;
	}
	return 0;
}

/* While drainit waits for a forking service's pid file, its launcher's
 * group is all it can name; once that group is seen empty its number is
 * free for anyone, and is never used again. */
static void
forget_empty_group(struct supervisor *sup, struct service *svc)
{
	if (svc->waiting_pidfile && svc->proc.pid <= 0 && svc->spawn_pgid > 0 &&
	    !service_group_alive(sup, svc))
		svc->spawn_pgid = 0;
}

int
service_signal(struct supervisor *sup, struct service *svc, int sig)
{
	pid_t target;

	if (!service_alive(svc))
		return 0;
	forget_empty_group(sup, svc);
	if ((target = signal_target(sup, svc, sig)) == 0)
		return -ESRCH;	/* no process of its own to name yet */
	return signal_to(sup, svc, sig, target);
}

/* ---- the log of forwarded signals ----
 * The first forward of a signal is logged in full; the same signal again
 * within FWD_QUIET_MS of that line is only counted, and one line says how
 * many when the quiet time is over (a one-shot timer: nothing wakes
 * drainit once the signals stop). A storm of signals so costs two lines
 * a second, not a line per signal; every forward is counted per signal
 * (drainit_signals_forwarded_total in /metrics). */
#define FWD_QUIET_MS 1000

static void
fwd_log_held(struct supervisor *sup, int sig, msec_t now)
{
	struct fwd_log *f = &sup->fwd;
	char d[32];

	if (f->held[sig])
		log_info("forwarded %s %lu more time%s in %s (a repeated signal is logged once a second; every one is counted in /metrics)",
			 signal_name(sig), f->held[sig], f->held[sig] == 1 ? "" : "s",
			 format_duration(now - f->logged_at[sig], d, sizeof(d)));
	f->held[sig] = 0;
	f->logged_at[sig] = 0;
	f->quiet[sig] = false;
}

static void
fwd_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct supervisor *sup = container_of(w, struct supervisor, fwd.timer);
	struct fwd_log *f = &sup->fwd;
	msec_t now = sup->sys->now(), next = 0;

	(void)revents;
	(void)loop;
	for (int sig = 1; sig < _NSIG; sig++) {
		if (!f->quiet[sig])
			continue;
		if (now >= f->logged_at[sig] + FWD_QUIET_MS)
			fwd_log_held(sup, sig, now);
		else if (!next || f->logged_at[sig] + FWD_QUIET_MS < next)
			next = f->logged_at[sig] + FWD_QUIET_MS;
	}
	if (next)
		timer_arm(sup->loop, &f->timer, next - now);
}

/* Whether this forward of sig gets its line; if not, it is counted. */
static bool
fwd_log_now(struct supervisor *sup, int sig)
{
	struct fwd_log *f = &sup->fwd;
	msec_t now;

	if (log_min_level > LOG_INFO)
		return false;
	if (f->quiet[sig]) {
		f->held[sig]++;
		return false;
	}
	now = sup->sys->now();
	f->quiet[sig] = true;
	f->logged_at[sig] = now;
	if (!ev_is_active(&f->timer)) {
		ev_init(&f->timer, fwd_timer_cb);
		timer_arm(sup->loop, &f->timer, FWD_QUIET_MS);
	}
	return true;
}

void
service_forward_flush(struct supervisor *sup)
{
	msec_t now = sup->sys->now();

	if (ev_is_active(&sup->fwd.timer))
		ev_timer_stop(sup->loop, &sup->fwd.timer);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sup->fwd.quiet[sig])
			fwd_log_held(sup, sig, now);
}

void
service_forward_all(struct supervisor *sup, int sig)
{
	/* what was sent where, kept for the log line written after every kill */
	struct sent_to { struct service *svc; pid_t target; int to; } sent[64];
	char line[1024], dropped[512], skipped[512];
	size_t n = 0, nsent = 0, off = 0, doff = 0, soff = 0;
	bool dropped_any = false, skipped_any = false;

	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];
		int to = signal_map_apply(&svc->cfg->signal_map, sig);
		pid_t t;

		if (!service_alive(svc))
			continue;
		if (!svc_forwards(svc->cfg, sig)) {	/* forward_signals */
			skipped_any = true;
			continue;
		}
		forget_empty_group(sup, svc);
		if (to == 0) {	/* signal_map FROM:0 */
			dropped_any = true;
			continue;
		}
		t = signal_target(sup, svc, to);
		if (t == 0 || signal_to(sup, svc, to, t) < 0)
			continue;
		if (nsent < sizeof(sent) / sizeof(sent[0]))
			sent[nsent++] = (struct sent_to){ svc, t, to };
		n++;
	}
	if (n > 0 && sig > 0 && sig < _NSIG)
		sup->fwd.forwarded[sig]++;
	if (sig <= 0 || sig >= _NSIG || !fwd_log_now(sup, sig))
		return;

	line[0] = dropped[0] = skipped[0] = '\0';
	for (size_t i = 0; i < nsent; i++) {
		char as[40] = "";
		pid_t t = sent[i].target;

		if (sent[i].to != sig)
			snprintf(as, sizeof(as), ", as %s", signal_name(sent[i].to));
		if (off < sizeof(line))
			off += snprintf(line + off, sizeof(line) - off, "%s%s (%s %d%s)",
					i > 0 ? ", " : ": ", sent[i].svc->cfg->name,
					t < 0 ? "pgid" : "pid", (int)(t < 0 ? -t : t), as);
	}
	if (n > nsent && off < sizeof(line))
		snprintf(line + off, sizeof(line) - off, ", and %zu more", n - nsent);
	for (size_t i = 0; (dropped_any || skipped_any) && i < sup->nsvcs; i++) {
		struct service *svc = sup->svcs[i];

		if (!service_alive(svc))
			continue;
		if (!svc_forwards(svc->cfg, sig)) {
			if (soff < sizeof(skipped))
				soff += snprintf(skipped + soff, sizeof(skipped) - soff, "%s%s",
						 soff ? ", " : "", svc->cfg->name);
		} else if (signal_map_apply(&svc->cfg->signal_map, sig) == 0 && doff < sizeof(dropped)) {
			doff += snprintf(dropped + doff, sizeof(dropped) - doff, "%s%s",
					 doff ? ", " : "", svc->cfg->name);
		}
	}
	if (n > 0 || (!dropped[0] && !skipped[0]))
		log_info("forwarded %s to %zu service%s%s", signal_name(sig), n, n == 1 ? "" : "s",
			 line);
	if (dropped[0])
		log_info("dropped %s for %s (signal_map)", signal_name(sig), dropped);
	if (skipped[0])
		log_info("not forwarding %s to %s (forward_signals)", signal_name(sig), skipped);
}
