/* runtime.c: assembly layer. Puts the layers together: the model from the
 * config, then the mechanisms' state (checks, output, watchers), then the
 * dispatcher as the one receiver of events. Also the real syscall seam. */
#include "runtime.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "dispatch.h"
#include "drain.h"
#include "notify.h"
#include "orphans.h"
#include "output.h"
#include "reaper.h"
#include "spawn.h"
#include "watchers.h"

static msec_t
real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (msec_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static msec_t
real_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (msec_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct sys_ops real_sys_ops = {
	.kill = kill,
	.wall = real_wall,
	.spawn = spawn_proc,
	.now = real_now,
	.getpgid = getpgid,
	.getsid = getsid,
	.parent_of = reaper_parent_of,
	.children = orphans_children,
	.has_children = orphans_has_children,
	.drain_sample = drain_sample,
};

int
runtime_init(struct supervisor *sup, struct ev_loop *loop, struct config *cfg,
	     const struct sys_ops *sys)
{
	if (supervisor_init(sup, loop, cfg, sys ? sys : &real_sys_ops) < 0 ||
	    output_init(sup) < 0 || check_init(sup) < 0)
		return -1;
	watchers_init(sup);
	notify_watchdog_init(sup);
	sup->on_event = dispatch_event;
	return 0;
}

void
runtime_free(struct supervisor *sup)
{
	output_free(sup);
	check_free(sup);
	drain_free(sup);
	supervisor_free(sup);
}
