/* hooks.c: drain hooks. All of them (global and per service) start
 * together when the prestop stage begins, each in its own process group,
 * each SIGKILLed at its drain_timeout. A failed or timed-out hook is
 * logged and the shutdown goes on. A per-service hook runs in the
 * service's directory and gets DRAINIT_SERVICE and DRAINIT_SERVICE_PID. */
#include "hooks.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "log.h"
#include "service.h"
#include "shutdown.h"

extern char **environ;

int
hooks_init(struct supervisor *sup)
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

void
hooks_free(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->nhooks; i++)
		argv_free(sup->hooks[i].envp);
	free(sup->hooks);
	sup->hooks = NULL;
	sup->nhooks = 0;
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

/* drainit's environment plus, for a per-service hook, the service's name
 * and pid; a global hook never sees these variables, even when drainit
 * itself inherited them. */
static char **
hook_env(const struct service *svc)
{
	struct envbuf e;

	if (env_init(&e, environ) < 0)
		goto fail;
	env_unset(&e, "DRAINIT_SERVICE");
	env_unset(&e, "DRAINIT_SERVICE_PID");
	if (svc && (env_setf(&e, "DRAINIT_SERVICE=%s", svc->cfg->name) < 0 ||
		    env_setf(&e, "DRAINIT_SERVICE_PID=%d",
			     service_alive(svc) ? (int)svc->proc.pid : 0) < 0))
		goto fail;
	return env_take(&e);
fail:
	env_free(&e);
	return NULL;
}

static void
hook_timeout_cb(EV_P_ ev_timer *w, int revents)
{
	struct supervisor *sup = ev_userdata(EV_A);
	struct hook *h = container_of(w, struct hook, timer);
	char lbl[96], dbuf[32];

	(void)revents;
	if (!h->running)
		return;
	h->timed_out = true;
	log_warn("%s (pid %d): drain_timeout %s reached, sending SIGKILL to its process group",
		 hook_label(sup, h, lbl, sizeof(lbl)), (int)h->proc.pid,
		 format_duration(h->cfg->timeout_ms, dbuf, sizeof(dbuf)));
	if (sup->sys->kill(-h->proc.pid, SIGKILL) < 0 && errno != ESRCH)
		log_warn("%s: kill: %s", lbl, strerror(errno));
}

size_t
hooks_start_all(struct supervisor *sup)
{
	size_t running = 0;
	char lbl[96];

	for (size_t i = 0; i < sup->nhooks; i++) {
		struct hook *h = &sup->hooks[i];
		struct spawn_req req = { .argv = h->cfg->argv };
		int r;

		hook_label(sup, h, lbl, sizeof(lbl));
		if (h->svc)
			req.dir = h->svc->cfg->directory;
		h->envp = hook_env(h->svc);
		req.envp = h->envp;
		r = sup->sys->spawn(sup, &h->proc, &req);
		if (r < 0) {
			log_error("%s: failed to start: fork: %s", lbl, strerror(-r));
			continue;
		}
		h->running = true;
		running++;
		log_info("%s (pid %d): started: %s", lbl, (int)h->proc.pid, h->cfg->command);
		ev_timer_init(&h->timer, hook_timeout_cb, (ev_tstamp)h->cfg->timeout_ms / 1000.0, 0.);
		if (h->cfg->timeout_ms > 0)
			ev_timer_start(sup->loop, &h->timer);
	}
	return running;
}

size_t
hooks_running(const struct supervisor *sup)
{
	size_t n = 0;
	for (size_t i = 0; i < sup->nhooks; i++)
		n += sup->hooks[i].running;
	return n;
}

void
hooks_kill_all(struct supervisor *sup)
{
	char lbl[96];

	for (size_t i = 0; i < sup->nhooks; i++) {
		struct hook *h = &sup->hooks[i];
		if (!h->running)
			continue;
		log_info("%s (pid %d): sending SIGKILL (shutdown forced)",
			 hook_label(sup, h, lbl, sizeof(lbl)), (int)h->proc.pid);
		h->forced = true;
		if (sup->sys->kill(-h->proc.pid, SIGKILL) < 0 && errno != ESRCH)
			log_warn("%s: kill: %s", lbl, strerror(errno));
	}
}

struct hook *
hook_find_by_pid(struct supervisor *sup, pid_t pid)
{
	for (size_t i = 0; i < sup->nhooks; i++)
		if (sup->hooks[i].running && sup->hooks[i].proc.pid == pid)
			return &sup->hooks[i];
	return NULL;
}

void
hook_on_exec(struct supervisor *sup, struct hook *h)
{
	char lbl[96];

	if (h->proc.fail_step != SPAWN_STEP_NONE)
		log_error("%s (pid %d): failed to start: %s: %s",
			  hook_label(sup, h, lbl, sizeof(lbl)), (int)h->proc.pid,
			  spawn_step_name(h->proc.fail_step), strerror(h->proc.fail_errno));
}

void
hook_on_exit(struct supervisor *sup, struct hook *h, int wstatus)
{
	char lbl[96], buf[96];

	h->running = false;
	ev_timer_stop(sup->loop, &h->timer);
	hook_label(sup, h, lbl, sizeof(lbl));
	if (h->proc.fail_step != SPAWN_STEP_NONE)
		;	/* hook_on_exec said it */
	else if (h->forced)
		log_info("%s (pid %d): %s (shutdown forced)", lbl, (int)h->proc.pid,
			 describe_status(wstatus, buf, sizeof(buf)));
	else if (h->timed_out)
		log_warn("%s (pid %d): timed out, %s", lbl, (int)h->proc.pid,
			 describe_status(wstatus, buf, sizeof(buf)));
	else if (status_to_code(wstatus) != 0)
		log_warn("%s (pid %d): failed, %s; shutdown goes on", lbl,
			 (int)h->proc.pid, describe_status(wstatus, buf, sizeof(buf)));
	else
		log_info("%s (pid %d): done", lbl, (int)h->proc.pid);
	shutdown_handle(sup, SD_HOOK_DONE, NULL);
}
