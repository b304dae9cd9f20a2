/* service.c: mechanism layer. Starts a service's process and signals it.
 *
 * A service's process is the leader of its own process group; every
 * signal drainit sends to a service goes to that group (kill(-pgid)), or
 * to the pid alone for an adopted daemon that stayed in drainit's group.
 * Never: changes a service's state or decides what an exit means (that
 * is lifecycle.c). */
#include "service.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	svc->kill_target = -svc->proc.pid;
	log_info("service %s (pid %d): starting: %s", svc->cfg->name, (int)svc->proc.pid,
		 svc->cfg->command);
	return 0;
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
