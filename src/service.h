/* service.h: the service model: per-service states, start, signal, exit
 * bookkeeping and the exit-code rules. */
#ifndef DRAINIT_SERVICE_H
#define DRAINIT_SERVICE_H

#include "supervisor.h"

/* Starts what can start now (dependencies permitting): lifecycle.c. */
void service_start_all(struct supervisor *sup);
/* Forks one service; 0, or -errno with the service marked FAILED. */
int service_start(struct supervisor *sup, struct service *svc);
struct service *service_find_by_pid(struct supervisor *sup, pid_t pid);
bool service_alive(const struct service *svc);
size_t service_count_alive(const struct supervisor *sup);

/* Sends sig to the service's process group; logs and returns -errno on failure. */
int service_signal(struct supervisor *sup, struct service *svc, int sig);
/* Asks a live service to stop: its stop_signal to its group, state
 * STOPPING, grace timer armed (its expiry sends SIGKILL). The caller logs
 * why. */
void service_stop(struct supervisor *sup, struct service *svc);

/* Forwards sig to every live service's process group. */
void service_forward_all(struct supervisor *sup, int sig);

void service_on_exec(struct supervisor *sup, struct service *svc);
void service_on_exit(struct supervisor *sup, struct service *svc, int wstatus);

/* 0..255: exit status, 128+N for signal N, 126/127 when never started. */
int status_to_code(int wstatus);
int service_exit_code(const struct service *svc);
/* Exited 0, or died of the very stop signal drainit sent it. */
bool service_clean(const struct service *svc);
/* "exited with status 3", "killed by signal 9 (SIGKILL)" */
const char *describe_status(int wstatus, char *buf, size_t len);

#endif
