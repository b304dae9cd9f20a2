/* supervisor.c: builds the runtime model from a validated config and
 * provides the real syscall seam. */
#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "hooks.h"
#include "output.h"
#include "shutdown.h"
#include "spawn.h"

static msec_t
real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (msec_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct sys_ops real_sys_ops = {
	.kill = kill,
	.spawn = spawn_proc,
	.now = real_now,
};

int
supervisor_init(struct supervisor *sup, struct ev_loop *loop, struct config *cfg,
		const struct sys_ops *sys)
{
	memset(sup, 0, sizeof(*sup));
	sup->loop = loop;
	sup->cfg = cfg;
	sup->sys = sys ? sys : &real_sys_ops;
	sup->ready = true;
	ev_set_userdata(loop, sup);

	sup->nsvcs = cfg->nsvcs;
	sup->svcs = calloc(cfg->nsvcs ? cfg->nsvcs : 1, sizeof(*sup->svcs));
	if (!sup->svcs)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->nsvcs; i++) {
		sup->svcs[i].cfg = &cfg->svcs[i];
		sup->svcs[i].proc.kind = PROC_SERVICE;
		sup->svcs[i].proc.status_fd = -1;
		if (cfg->main && strcmp(cfg->main, cfg->svcs[i].name) == 0)
			sup->main = &sup->svcs[i];
	}
	if (hooks_init(sup) < 0)
		return -ENOMEM;
	if (output_init(sup) < 0)	/* issue 6: service output */
		return -ENOMEM;
	if (check_init(sup) < 0)	/* ready/health checks (issue 3) */
		return -ENOMEM;
	shutdown_init(sup);
	return 0;
}

void
supervisor_free(struct supervisor *sup)
{
	hooks_free(sup);
	output_free(sup);
	check_free(sup);
	for (size_t i = 0; i < sup->nsvcs; i++) {
		argv_free(sup->svcs[i].envp);
		free(sup->svcs[i].restart_log);
	}
	free(sup->svcs);
	sup->svcs = NULL;
}
