/* supervisor.c: model layer. Builds the runtime objects from a validated
 * config, keeps the proc table, and answers questions about services and
 * hooks (alive, ready, live, clean, exit code). No I/O, no decision. */
#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/wait.h>

#include "log.h"

/* ---- names ---------------------------------------------------------------- */

const char *
stage_name(enum stage s)
{
	static const char *const names[_STAGE_MAX] = {
		[STAGE_RUNNING] = "running",   [STAGE_UNREADY] = "unready",
		[STAGE_PRESTOP] = "prestop",   [STAGE_STOPPING] = "stopping",
		[STAGE_ORPHANS] = "orphans",
		[STAGE_KILLING] = "killing",   [STAGE_EXITED] = "exited",
	};
	return (unsigned)s < _STAGE_MAX ? names[s] : "?";
}

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

const char *
spawn_step_name(enum spawn_step s)
{
	static const char *const names[_SPAWN_STEP_MAX] = {
		[SPAWN_STEP_NONE] = "none",
		[SPAWN_STEP_SETPGID] = "setpgid",
		[SPAWN_STEP_SIGNALS] = "reset signals",
		[SPAWN_STEP_CHDIR] = "chdir",
		[SPAWN_STEP_EXEC] = "exec",
		[SPAWN_STEP_STDIN] = "stdin",
		[SPAWN_STEP_STDOUT] = "stdout",
		[SPAWN_STEP_STDERR] = "stderr",
		[SPAWN_STEP_RLIMIT] = "setrlimit",
		[SPAWN_STEP_NICE] = "nice",
		[SPAWN_STEP_OOM] = "oom_score_adj",
		[SPAWN_STEP_SETGROUPS] = "setgroups",
		[SPAWN_STEP_SETGID] = "setgid",
		[SPAWN_STEP_SETUID] = "setuid",
	};
	return (unsigned)s < _SPAWN_STEP_MAX ? names[s] : "?";
}

/* ---- building the model ----------------------------------------------------- */

static int
hooks_build(struct supervisor *sup)
{
	struct config *c = sup->cfg;
	size_t n = c->ndrain, k = 0;

	for (size_t i = 0; i < c->nsvcs; i++)
		n += c->svcs[i].ndrain;
	sup->nhooks = n;
	if (n == 0)
		return 0;
	sup->hooks = calloc(n, sizeof(*sup->hooks));
	if (!sup->hooks)
		return -ENOMEM;
	for (size_t i = 0; i < c->ndrain; i++)
		sup->hooks[k++].cfg = &c->drain[i];
	for (size_t i = 0; i < c->nsvcs; i++)
		for (size_t j = 0; j < c->svcs[i].ndrain; j++) {
			sup->hooks[k].cfg = &c->svcs[i].drain[j];
			sup->hooks[k++].svc = &sup->svcs[i];
		}
	for (size_t i = 0; i < n; i++) {
		sup->hooks[i].proc.kind = PROC_HOOK;
		sup->hooks[i].proc.status_fd = -1;
	}
	return 0;
}

int
supervisor_init(struct supervisor *sup, struct ev_loop *loop, struct config *cfg,
		const struct sys_ops *sys)
{
	memset(sup, 0, sizeof(*sup));
	sup->loop = loop;
	sup->cfg = cfg;
	sup->sys = sys;
	sup->ready = true;
	ev_set_userdata(loop, sup);

	sup->nsvcs = cfg->nsvcs;
	sup->svcs = calloc(cfg->nsvcs ? cfg->nsvcs : 1, sizeof(*sup->svcs));
	if (!sup->svcs)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->nsvcs; i++) {
		struct service *svc = &sup->svcs[i];

		svc->cfg = &cfg->svcs[i];
		svc->proc.kind = PROC_SERVICE;
		svc->proc.status_fd = -1;
		if (cfg->main && strcmp(cfg->main, cfg->svcs[i].name) == 0)
			sup->main = svc;
		/* The restart log is made now: an allocation that fails later
		 * must never turn restart_limit off. */
		if (svc->cfg->restart_limit > 0) {
			svc->restart_log = calloc((size_t)svc->cfg->restart_limit,
						  sizeof(*svc->restart_log));
			if (!svc->restart_log)
				return -ENOMEM;
		}
	}
	/* every service, hook and check proc at once: never grown later */
	sup->procs_cap = 2 * cfg->nsvcs + cfg->ndrain + 1;
	for (size_t i = 0; i < cfg->nsvcs; i++)
		sup->procs_cap += cfg->svcs[i].ndrain;
	sup->procs = calloc(sup->procs_cap, sizeof(*sup->procs));
	if (!sup->procs)
		return -ENOMEM;
	sup->inflight_at_stop = sup->inflight_at_kill = -1;
	sup->stage = STAGE_RUNNING;
	sup->stage_started[STAGE_RUNNING] = sys->now();
	sup->stage_seen[STAGE_RUNNING] = true;
	return hooks_build(sup);
}

void
supervisor_free(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nhooks; i++)
		argv_free(sup->hooks[i].envp);
	free(sup->hooks);
	sup->hooks = NULL;
	sup->nhooks = 0;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		argv_free(sup->svcs[i].envp);
		free(sup->svcs[i].restart_log);
	}
	free(sup->svcs);
	sup->svcs = NULL;
	free(sup->procs);
	sup->procs = NULL;
	free(sup->orphans_signalled);
	sup->orphans_signalled = NULL;
	event_queue_free(&sup->events);
}

void
sup_post(struct supervisor *sup, const struct event *ev)
{
	if (!sup->on_event)
		return;
	if (event_post(&sup->events, ev, sup->on_event, sup) < 0 && !sup->events.oom_logged) {
		sup->events.oom_logged = true;
		log_warn("out of memory queueing an event: handling it at once (logged once)");
	}
}

/* ---- the proc table ------------------------------------------------------------ */

int
proc_track(struct supervisor *sup, struct proc *p)
{
	if (p->tracked)
		return 0;
	for (size_t i = 0; i < sup->nprocs; i++)
		if (sup->procs[i]->pid == p->pid)
			return -EEXIST;
	if (sup->nprocs == sup->procs_cap) {
		size_t ncap = sup->procs_cap * 2;
		struct proc **nv = realloc(sup->procs, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		sup->procs = nv;
		sup->procs_cap = ncap;
	}
	sup->procs[sup->nprocs++] = p;
	p->tracked = true;
	return 0;
}

void
proc_untrack(struct supervisor *sup, struct proc *p)
{
	if (!p->tracked)
		return;
	for (size_t i = 0; i < sup->nprocs; i++)
		if (sup->procs[i] == p) {
			sup->procs[i] = sup->procs[--sup->nprocs];
			break;
		}
	p->tracked = false;
}

struct proc *
proc_find(struct supervisor *sup, pid_t pid)
{
	for (size_t i = 0; i < sup->nprocs; i++)
		if (sup->procs[i]->pid == pid)
			return sup->procs[i];
	return NULL;
}

/* ---- services ------------------------------------------------------------------ */

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

bool
service_group_alive(const struct supervisor *sup, const struct service *svc)
{
	return svc->spawn_pgid > 0 &&
	       (sup->sys->kill(-svc->spawn_pgid, 0) == 0 || errno == EPERM);
}

struct service *
service_by_name(struct supervisor *sup, const char *name)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (strcmp(sup->svcs[i].cfg->name, name) == 0)
			return &sup->svcs[i];
	return NULL;
}

struct service *
service_live_dependent(struct supervisor *sup, const struct service *svc)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *o = &sup->svcs[i];
		if (o != svc && service_alive(o) && svc_depends_on(o->cfg, svc->cfg->name))
			return o;
	}
	return NULL;
}

size_t
service_count_active(const struct supervisor *sup)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		const struct service *s = &sup->svcs[i];
		n += service_alive(s) || s->state == SVC_BACKOFF || s->state == SVC_PENDING ||
		     s->ctl_stopped;
	}
	return n;
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

	if (svc->proc.fail_step != SPAWN_STEP_NONE || svc->proc.fail_errno)
		return svc->proc.fail_step == SPAWN_STEP_EXEC && svc->proc.fail_errno == ENOENT
			       ? EXIT_NOTFOUND
			       : EXIT_NOEXEC;
	code = status_to_code(svc->wstatus);
	/* failed for good after clean exits (restart = always past its limit) */
	if (svc->state == SVC_FAILED)
		return code == 0 ? 1 : code;
	return status_success(svc->cfg, svc->wstatus) ? 0 : code;
}

bool
status_success(const struct svc_config *c, int wstatus)
{
	int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	int code = status_to_code(wstatus);

	return (WIFEXITED(wstatus) && code == 0) ||
	       success_exit_match(&c->success_exit, code, sig);
}

bool
service_clean(const struct service *svc)
{
	int sig;

	/* a start that failed (fork, pipe, a step before exec) is never clean,
	 * even when the shutdown found it waiting to be retried */
	if (svc->state == SVC_FAILED || svc->proc.fail_step != SPAWN_STEP_NONE ||
	    svc->proc.fail_errno)
		return false;
	if (status_success(svc->cfg, svc->wstatus))
		return true;
	if (!WIFSIGNALED(svc->wstatus) || svc->killed)
		return false;
	sig = WTERMSIG(svc->wstatus);
	return sig < SIG_SLOTS && (svc->sent_mask & ((uint64_t)1 << (sig - 1)));
}

bool
service_ready(const struct service *svc, char *why, size_t len)
{
	switch (svc->state) {
	case SVC_PENDING:
	case SVC_STARTING:
		snprintf(why, len, "starting");
		return false;
	case SVC_RUNNING:
		if (svc->cfg->ready.kind == CHECK_NONE || svc->pr.ready)
			return true;
		snprintf(why, len, "%s", svc->pr.why[0] ? svc->pr.why : "starting");
		return false;
	case SVC_STOPPING:
	case SVC_KILLING:
		snprintf(why, len, "stopping");
		return false;
	case SVC_FAILED:
		snprintf(why, len, svc->was_ready ? "failed" : "failed to start");
		return false;
	case SVC_BACKOFF:
		snprintf(why, len, "restarting");
		return false;
	case SVC_EXITED:
	default:
		if (svc->completed)
			return true;	/* a oneshot that did its job gates nothing */
		snprintf(why, len, "exited");
		return false;
	}
}

bool
service_live(const struct service *svc, char *why, size_t len)
{
	char sbuf[96];

	if (svc->state == SVC_FAILED) {
		if (svc->was_ready)
			snprintf(why, len, "failed: %s", describe_status(svc->wstatus, sbuf, sizeof(sbuf)));
		else
			snprintf(why, len, "failed to start");
		return false;
	}
	if (svc->pr.failed) {
		snprintf(why, len, "%s", describe_status(svc->wstatus, sbuf, sizeof(sbuf)));
		return false;
	}
	if (svc->pr.unhealthy) {
		snprintf(why, len, "unhealthy: %s", svc->pr.health_why);
		return false;
	}
	if (svc->pr.gone && svc->state == SVC_EXITED && !svc->completed) {
		snprintf(why, len, "%s and will not be restarted",
			 describe_status(svc->wstatus, sbuf, sizeof(sbuf)));
		return false;
	}
	if (svc->pr.watchdog_expired) {
		snprintf(why, len, "unhealthy: watchdog expired");
		return false;
	}
	return true;
}

/* ---- hooks ------------------------------------------------------------------------ */

size_t
hooks_running(const struct supervisor *sup)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->nhooks; i++)
		n += sup->hooks[i].running;
	return n;
}

size_t
hooks_running_of(const struct supervisor *sup, const struct service *svc)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->nhooks; i++)
		n += sup->hooks[i].running && sup->hooks[i].svc == svc;
	return n;
}

const char *
hook_label(const struct supervisor *sup, const struct hook *h, char *buf, size_t len)
{
	size_t idx = 1;

	for (const struct hook *o = sup->hooks; o < h; o++)
		if (o->svc == h->svc)
			idx++;
	snprintf(buf, len, "drain hook %s#%zu", h->svc ? h->svc->cfg->name : "", idx);
	return buf;
}

/* ---- probers --------------------------------------------------------------------- */

void
sup_saw_prober(struct supervisor *sup, const struct sockaddr *addr, socklen_t len, int code)
{
	struct sockaddr_storage key;
	struct prober *p = NULL;
	msec_t now = sup->sys->now();

	memset(&key, 0, sizeof(key));
	memcpy(&key, addr, len < sizeof(key) ? len : sizeof(key));
	if (key.ss_family == AF_INET)
		((struct sockaddr_in *)&key)->sin_port = 0;
	else if (key.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&key)->sin6_port = 0;
	for (size_t i = 0; i < sup->nprobers; i++)
		if (memcmp(&sup->probers[i].addr, &key, sizeof(key)) == 0)
			p = &sup->probers[i];
	if (!p) {
		if (sup->nprobers < PROBERS_MAX) {
			p = &sup->probers[sup->nprobers++];
		} else {	/* full: the one heard from longest ago makes room */
			p = &sup->probers[0];
			for (size_t i = 1; i < sup->nprobers; i++)
				if (sup->probers[i].last_seen < p->last_seen)
					p = &sup->probers[i];
		}
		memset(p, 0, sizeof(*p));
		p->addr = key;
	}
	p->last_seen = now;
	if (code == 503 && sup->stage != STAGE_RUNNING)
		p->unready_seen++;
}
