/* hooks.h: drain hooks, run concurrently during the prestop stage. */
#ifndef DRAINIT_HOOKS_H
#define DRAINIT_HOOKS_H

#include "supervisor.h"

/* Builds sup->hooks from the config (global first, then per service). */
int hooks_init(struct supervisor *sup);
void hooks_free(struct supervisor *sup);

/* Starts every hook, each in its own process group with a timeout timer.
 * Returns how many are running. */
size_t hooks_start_all(struct supervisor *sup);
size_t hooks_running(const struct supervisor *sup);
/* SIGKILLs every running hook's process group (shutdown forced). */
void hooks_kill_all(struct supervisor *sup);

struct hook *hook_find_by_pid(struct supervisor *sup, pid_t pid);
void hook_on_exec(struct supervisor *sup, struct hook *h);
void hook_on_exit(struct supervisor *sup, struct hook *h, int wstatus);
/* "drain hook #1" or "drain hook web#1", for the log. */
const char *hook_label(const struct supervisor *sup, const struct hook *h, char *buf, size_t len);

#endif
