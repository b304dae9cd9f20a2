/* service.c: the service model and its per-service state machine.
 *
 *   PENDING -> STARTING -> RUNNING -> STOPPING -> KILLING -> EXITED
 *                 \-> FAILED (fork/exec step failed)      (any alive -> EXITED)
 *
 * A service's process is the leader of its own process group; every
 * signal drainit sends to a service goes to that group (kill(-pgid)).
 * Never: decides when to shut down (that is shutdown.c). */
#include "service.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

#include "check.h"
#include "env.h"
#include "lifecycle.h"
#include "log.h"
#include "notify.h"
#include "output.h"
#include "procattr.h"
#include "shutdown.h"

const char *
svc_state_name(enum svc_state s)
{
	static const char *const names[_SVC_MAX] = {
		[SVC_PENDING] = "pending",   [SVC_STARTING] = "starting",
		[SVC_RUNNING] = "running",   [SVC_STOPPING] = "stopping",
		[SVC_KILLING] = "killing",   [SVC_EXITED] = "exited",
		[SVC_FAILED] = "failed",     [SVC_BACKOFF] = "backoff",
	};
	return (unsigned)s < _SVC_MAX ? names[s] : "?";
}

bool
service_alive(const struct service *svc)
{
	return svc->state == SVC_STARTING || svc->state == SVC_RUNNING ||
	       svc->state == SVC_STOPPING || svc->state == SVC_KILLING;
}

size_t
service_count_alive(const struct supervisor *sup)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->nsvcs; i++)
		n += service_alive(&sup->svcs[i]);
	return n;
}

struct service *
service_find_by_pid(struct supervisor *sup, pid_t pid)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (sup->svcs[i].proc.pid == pid && service_alive(&sup->svcs[i]))
			return &sup->svcs[i];
	return NULL;
}

/* The environment a service starts with: drainit's own, plus what the
 * service's settings add. Built before fork, into svc->envp. */
static int
service_env(struct supervisor *sup, struct service *svc)
{
	struct envbuf e;

	(void)sup;
	if (env_init(&e, environ) < 0 ||
	    procattr_env(svc->cfg, &e) < 0 ||	/* clear_env, env_file, env (issue 6) */
	    notify_env(sup, svc, &e) < 0) {	/* NOTIFY_SOCKET for ready = notify */
		env_free(&e);
		return -ENOMEM;
	}
	argv_free(svc->envp);
	svc->envp = env_take(&e);
	return 0;
}

int
service_start(struct supervisor *sup, struct service *svc)
{
	struct spawn_req req = {
		.argv = svc->cfg->argv,
		.dir = svc->cfg->directory,
		/* drainit -- CMD on a terminal: CMD gets the terminal, as under tini */
		.foreground = sup->cfg->single,
	};
	/* process settings and stdio (issue 6) */
	struct spawn_opts opts = { 0 };
	struct spawn_rlimit rl[_LIM_MAX];
	struct output_start os;
	char oom[16], what[PATH_MAX + 16] = "fork";
	int r;

	svc->proc.kind = PROC_SERVICE;
	r = service_env(sup, svc);
	req.envp = svc->envp;
	procattr_spawn_opts(svc->cfg, &opts, rl, oom);
	if (r == 0)
		r = output_prepare(sup, svc, &os, what, sizeof(what));
	if (r == 0) {
		memcpy(opts.stdio, os.stdio, sizeof(opts.stdio));
		req.opts = &opts;
		r = sup->sys->spawn(sup, &svc->proc, &req);
		output_spawned(sup, &os, r == 0);
		if (r < 0)
			snprintf(what, sizeof(what), "fork");
	}
	svc->started_at = sup->sys->now();
	svc->sent_signal = 0;
	svc->killed = false;
	if (r < 0) {
		log_error("service %s: failed to start: %s: %s", svc->cfg->name, what, strerror(-r));
		svc->state = SVC_FAILED;
		svc->proc.pid = 0;
		svc->proc.fail_step = SPAWN_STEP_NONE;
		svc->proc.fail_errno = -r;
		svc->wstatus = 0;
		return r;
	}
	svc->state = SVC_STARTING;
	svc->kill_target = -svc->proc.pid;
	svc->launching = svc->cfg->type == SVC_TYPE_FORKING;
	log_info("service %s (pid %d): starting: %s", svc->cfg->name, (int)svc->proc.pid,
		 svc->cfg->command);
	return 0;
}

void
service_start_all(struct supervisor *sup)
{
	lifecycle_start_all(sup);
}

void
service_on_exec(struct supervisor *sup, struct service *svc)
{
	if (svc->proc.fail_step != SPAWN_STEP_NONE) {
		log_error("service %s (pid %d): failed to start: %s: %s", svc->cfg->name,
			  (int)svc->proc.pid, spawn_step_name(svc->proc.fail_step),
			  strerror(svc->proc.fail_errno));
		return;
	}
	if (svc->launching || svc->state != SVC_STARTING)
		return;	/* a forking service is running once its daemon is adopted */
	svc->state = SVC_RUNNING;
	log_info("service %s (pid %d): running", svc->cfg->name, (int)svc->proc.pid);
	check_on_service_running(sup, svc);	/* ready/health checks */
	lifecycle_on_running(sup, svc);
}

const char *
describe_status(int wstatus, char *buf, size_t len)
{
	if (WIFEXITED(wstatus))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(wstatus),
			 signal_name(WTERMSIG(wstatus)),
			 WCOREDUMP(wstatus) ? ", core dumped" : "");
	else
		snprintf(buf, len, "ended with wait status 0x%x", (unsigned)wstatus);
	return buf;
}

int
status_to_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

int
service_exit_code(const struct service *svc)
{
	int code;

	if (svc->proc.fail_step != SPAWN_STEP_NONE ||
	    (svc->state == SVC_FAILED && svc->proc.fail_errno))
		return svc->proc.fail_step == SPAWN_STEP_EXEC && svc->proc.fail_errno == ENOENT
			       ? EXIT_NOTFOUND
			       : EXIT_NOEXEC;
	code = status_to_code(svc->wstatus);
	/* failed for good after clean exits (restart = always past its limit) */
	return code == 0 && svc->state == SVC_FAILED ? 1 : code;
}

bool
service_clean(const struct service *svc)
{
	if (svc->state == SVC_FAILED || svc->proc.fail_step != SPAWN_STEP_NONE)
		return false;
	if (WIFEXITED(svc->wstatus))
		return WEXITSTATUS(svc->wstatus) == 0;
	return WIFSIGNALED(svc->wstatus) && svc->sent_signal &&
	       WTERMSIG(svc->wstatus) == svc->sent_signal && !svc->killed;
}

void
service_on_exit(struct supervisor *sup, struct service *svc, int wstatus)
{
	char buf[96];
	msec_t ran = sup->sys->now() - svc->started_at;
	char dbuf[32];

	ptimer_stop(sup->loop, &svc->grace_timer);
	svc->wstatus = wstatus;
	if (svc->proc.fail_step == SPAWN_STEP_NONE)
		log_info("service %s (pid %d): %s%s after %s", svc->cfg->name, (int)svc->proc.pid,
			 svc->launching ? "launcher " : "",
			 describe_status(wstatus, buf, sizeof(buf)),
			 format_duration(ran, dbuf, sizeof(dbuf)));
	svc->state = svc->proc.fail_step != SPAWN_STEP_NONE ? SVC_FAILED : SVC_EXITED;
	check_on_service_exit(sup, svc);	/* stops its checks */
	lifecycle_on_exit(sup, svc);
}

int
service_signal(struct supervisor *sup, struct service *svc, int sig)
{
	if (svc->proc.pid <= 0 || !service_alive(svc))
		return 0;
	if (sup->sys->kill(svc->kill_target, sig) < 0) {
		int e = errno;
		/* ESRCH: the group is already gone, the reap is on its way. */
		if (e != ESRCH)
			log_warn("service %s (pid %d): cannot send %s to process group: %s",
				 svc->cfg->name, (int)svc->proc.pid, signal_name(sig), strerror(e));
		return -e;
	}
	return 0;
}

void
service_stop(struct supervisor *sup, struct service *svc)
{
	svc->state = SVC_STOPPING;
	svc->sent_signal = svc->cfg->stop_signal;
	service_signal(sup, svc, svc->cfg->stop_signal);
	ptimer_start(sup->loop, &svc->grace_timer, svc->cfg->grace_ms);
}

void
service_forward_all(struct supervisor *sup, int sig)
{
	char line[1024];
	size_t n = 0, off = 0;

	line[0] = '\0';
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *svc = &sup->svcs[i];
		if (!service_alive(svc) || service_signal(sup, svc, sig) < 0)
			continue;
		n++;
		if (off < sizeof(line))
			off += snprintf(line + off, sizeof(line) - off, "%s%s (pgid %d)",
					n > 1 ? ", " : ": ", svc->cfg->name, (int)svc->proc.pid);
	}
	log_info("forwarded %s to %zu service%s%s", signal_name(sig), n, n == 1 ? "" : "s", line);
}
