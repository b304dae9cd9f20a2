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
		[SPAWN_STEP_PIDFILE] = "pid file",
	};
	return (unsigned)s < _SPAWN_STEP_MAX ? names[s] : "?";
}

/* ---- building the model ----------------------------------------------------- */

#define KEEP(list, n, p)                                                    \
	do {                                                                \
		void *nv_ = realloc((list), ((n) + 1) * sizeof(*(list)));   \
		if (!nv_)                                                   \
			return -ENOMEM;                                     \
		(list) = nv_;                                               \
		(list)[(n)++] = (p);                                        \
	} while (0)

int
sup_keep_check(struct supervisor *sup, struct check *c)
{
	KEEP(sup->old_checks, sup->nold_checks, c);
	return 0;
}

int
sup_keep_config(struct supervisor *sup, struct config *c)
{
	KEEP(sup->cfgs, sup->ncfgs, c);
	return 0;
}

static struct hook *
hook_new(struct supervisor *sup, struct hook_config *hc, struct service *svc)
{
	struct hook *h = calloc(1, sizeof(*h));
	void *nv;

	if (!h)
		return NULL;
	nv = realloc(sup->all_hooks, (sup->nall_hooks + 1) * sizeof(*sup->all_hooks));
	if (!nv) {
		free(h);
		return NULL;
	}
	sup->all_hooks = nv;
	sup->all_hooks[sup->nall_hooks++] = h;
	h->cfg = hc;
	h->svc = svc;
	h->proc.kind = PROC_HOOK;
	h->proc.status_fd = -1;
	return h;
}

static int
make_hooks(struct supervisor *sup, struct hook_config *hc, size_t n, struct service *svc,
	   struct hook ***ret, size_t *ret_n)
{
	struct hook **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = hook_new(sup, &hc[i], svc))) {
			free(v);
			return -ENOMEM;
		}
	free(*ret);
	*ret = v;
	*ret_n = n;
	return 0;
}

int
service_make_hooks(struct supervisor *sup, struct service *svc)
{
	return make_hooks(sup, svc->cfg->drain, svc->cfg->ndrain, svc, &svc->hooks, &svc->nhooks);
}

int
supervisor_make_global_hooks(struct supervisor *sup)
{
	return make_hooks(sup, sup->cfg->drain, sup->cfg->ndrain, NULL, &sup->ghooks,
			  &sup->nghooks);
}

int
supervisor_hooks_rebuild(struct supervisor *sup)
{
	size_t n = sup->nghooks, k = 0;
	struct hook **v;

	for (size_t i = 0; i < sup->nsvcs; i++)
		n += sup->svcs[i]->nhooks;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < sup->nghooks; i++)
		v[k++] = sup->ghooks[i];
	for (size_t i = 0; i < sup->nsvcs; i++)
		for (size_t j = 0; j < sup->svcs[i]->nhooks; j++)
			v[k++] = sup->svcs[i]->hooks[j];
	free(sup->hooks);
	sup->hooks = v;
	sup->nhooks = n;
	return 0;
}

struct service *
service_new(struct supervisor *sup, struct svc_config *c)
{
	struct service *svc = calloc(1, sizeof(*svc));
	void *nv;

	if (!svc)
		return NULL;
	nv = realloc(sup->all_svcs, (sup->nall_svcs + 1) * sizeof(*sup->all_svcs));
	if (!nv) {
		free(svc);
		return NULL;
	}
	sup->all_svcs = nv;
	sup->all_svcs[sup->nall_svcs++] = svc;
	svc->cfg = c;
	svc->proc.kind = PROC_SERVICE;
	svc->proc.status_fd = -1;
	/* The restart log is made now: an allocation that fails later
	 * must never turn restart_limit off. */
	if (c->restart_limit > 0 &&
	    !(svc->restart_log = calloc((size_t)c->restart_limit, sizeof(*svc->restart_log))))
		return NULL;
	if (service_make_hooks(sup, svc) < 0)
		return NULL;
	return svc;
}

int
service_set_config(struct supervisor *sup, struct service *svc, struct svc_config *c)
{
	msec_t *log = NULL;

	if (c->restart_limit > 0 && !(log = calloc((size_t)c->restart_limit, sizeof(*log))))
		return -ENOMEM;
	free(svc->restart_log);
	svc->restart_log = log;
	svc->restart_log_n = svc->restart_log_head = 0;
	svc->cfg = c;
	if (service_make_hooks(sup, svc) < 0)
		return -ENOMEM;
	return supervisor_hooks_rebuild(sup);
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
		struct service *svc = service_new(sup, &cfg->svcs[i]);

		if (!svc)
			return -ENOMEM;
		sup->svcs[i] = svc;
		if (cfg->main && strcmp(cfg->main, cfg->svcs[i].name) == 0)
			sup->main = svc;
	}
	/* every service, hook and check proc at once: grown only by a reload */
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
	if (supervisor_make_global_hooks(sup) < 0)
		return -ENOMEM;
	return supervisor_hooks_rebuild(sup);
}

void
supervisor_free(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nall_hooks; i++) {
		argv_free(sup->all_hooks[i]->envp);
		free(sup->all_hooks[i]);
	}
	free(sup->all_hooks);
	sup->all_hooks = NULL;
	sup->nall_hooks = 0;
	free(sup->hooks);
	sup->hooks = NULL;
	sup->nhooks = 0;
	free(sup->ghooks);
	sup->ghooks = NULL;
	sup->nghooks = 0;
	for (size_t i = 0; i < sup->nall_svcs; i++) {
		struct service *svc = sup->all_svcs[i];

		argv_free(svc->envp);
		free(svc->restart_log);
		free(svc->hooks);
		free(svc);
	}
	free(sup->all_svcs);
	sup->all_svcs = NULL;
	sup->nall_svcs = 0;
	free(sup->svcs);
	sup->svcs = NULL;
	sup->nsvcs = 0;
	free(sup->procs);
	sup->procs = NULL;
	free(sup->orphans_signalled);
	sup->orphans_signalled = NULL;
	for (size_t i = 0; i < sup->ncfgs; i++) {
		config_free(sup->cfgs[i]);
		free(sup->cfgs[i]);
	}
	free(sup->cfgs);
	sup->cfgs = NULL;
	sup->ncfgs = 0;
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
		n += service_alive(sup->svcs[i]);
	return n;
}

struct service *
service_find_by_pid(struct supervisor *sup, pid_t pid)
{
	for (size_t i = 0; i < sup->nsvcs; i++)
		if (sup->svcs[i]->proc.pid == pid && service_alive(sup->svcs[i]))
			return sup->svcs[i];
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
		if (strcmp(sup->svcs[i]->cfg->name, name) == 0)
			return sup->svcs[i];
	return NULL;
}

/* The settings stop order follows: a service a reload changed is
 * ordered by its new ones already. Old and new mixed could make a cycle
 * (a after b before, b after a now) and a shutdown that never ends; the
 * new file alone has none (the configuration refuses them). */
static const struct svc_config *
order_cfg(const struct service *s)
{
	return s->next_cfg ? s->next_cfg : s->cfg;
}

struct service *
service_live_dependent(struct supervisor *sup, const struct service *svc)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *o = sup->svcs[i];
		if (o != svc && service_alive(o) && svc_depends_on(order_cfg(o), svc->cfg->name))
			return o;
	}
	return NULL;
}

/* A live service that depends on svc and is being stopped outside a
 * shutdown (drainit ctl, a reload, a failed requirement): svc's own stop
 * waits for it. */
struct service *
service_stopping_dependent(struct supervisor *sup, const struct service *svc)
{
	for (size_t i = 0; i < sup->nsvcs; i++) {
		struct service *o = sup->svcs[i];
		if (o != svc && o->stop_requested && service_alive(o) &&
		    svc_depends_on(order_cfg(o), svc->cfg->name))
			return o;
	}
	return NULL;
}

/* Orders v so that each service comes before the services in v it
 * depends on: the order to stop them in. Stable:
 * unrelated services keep their order. Dependencies have no cycle (the
 * configuration refuses one); should one slip through, its members keep
 * their order. */
void
services_stop_order(struct service **v, size_t n)
{
	for (size_t done = 0; done < n; done++) {
		size_t pick = done;

		for (size_t i = done; i < n; i++) {
			bool needed = false;	/* a later one in v depends on v[i] */

			for (size_t k = done; k < n && !needed; k++)
				needed = k != i && svc_depends_on(order_cfg(v[k]), v[i]->cfg->name);
			if (!needed) {
				pick = i;
				break;
			}
		}
		struct service *s = v[pick];
		memmove(v + done + 1, v + done, (pick - done) * sizeof(*v));
		v[done] = s;
	}
}

size_t
service_count_active(const struct supervisor *sup)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->nsvcs; i++) {
		const struct service *s = sup->svcs[i];
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

/* Whether its main process ended as a clean stop would end it: a
 * success status, or a signal of its stop sequence (not SIGKILL). */
static bool
main_clean(const struct service *svc)
{
	int sig;

	if (status_success(svc->cfg, svc->wstatus))
		return true;
	if (!WIFSIGNALED(svc->wstatus))
		return false;
	sig = WTERMSIG(svc->wstatus);
	return sig != SIGKILL && sig < SIG_SLOTS && (svc->sent_mask & ((uint64_t)1 << (sig - 1)));
}

const char *
service_describe_end(const struct service *svc, char *buf, size_t len)
{
	if (svc->state == SVC_FAILED && svc->dep_failed)
		snprintf(buf, len, "%s", svc->start_why);
	else if (svc->proc.fail_step == SPAWN_STEP_PIDFILE)
		snprintf(buf, len, "failed to start: %s", svc->start_why);
	else if (svc->proc.fail_step != SPAWN_STEP_NONE)
		snprintf(buf, len, "failed to start: %s: %s", spawn_step_name(svc->proc.fail_step),
			 strerror(svc->proc.fail_errno));
	else if (svc->state == SVC_FAILED && svc->proc.fail_errno)
		snprintf(buf, len, "failed to start: %s", strerror(svc->proc.fail_errno));
	else
		describe_status(svc->wstatus, buf, len);
	return buf;
}

int
service_unclean_code(const struct service *svc)
{
	if (svc->killed && svc->state != SVC_FAILED && svc->proc.fail_step == SPAWN_STEP_NONE &&
	    main_clean(svc))
		return 128 + SIGKILL;	/* its main ended cleanly, its group had to be killed */
	return service_exit_code(svc);
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
	/* a start that failed (fork, pipe, a step before exec) is never clean,
	 * even when the shutdown found it waiting to be retried */
	if (svc->state == SVC_FAILED || svc->proc.fail_step != SPAWN_STEP_NONE ||
	    svc->proc.fail_errno)
		return false;
	return !svc->killed && main_clean(svc);	/* killed: it, or what it left, needed SIGKILL */
}

bool
service_ready(const struct service *svc, char *why, size_t len)
{
	if (svc->removed)
		return true;	/* removed by a reload, on its way out: gates nothing */
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

	if (svc->removed)
		return true;	/* removed by a reload: its end is no failure of drainit's */
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
		n += sup->hooks[i]->running;
	return n;
}

size_t
hooks_running_of(const struct supervisor *sup, const struct service *svc)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->nhooks; i++)
		n += sup->hooks[i]->running && sup->hooks[i]->svc == svc;
	return n;
}

const char *
hook_label(const struct supervisor *sup, const struct hook *h, char *buf, size_t len)
{
	size_t idx = 1;

	for (size_t i = 0; i < sup->nhooks && sup->hooks[i] != h; i++)
		if (sup->hooks[i]->svc == h->svc)
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
