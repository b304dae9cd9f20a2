/* ctlclient.h: top layer (a second program in the same binary).
 * drainit ctl: sends one request to a running drainit's control socket
 * and prints the answer (man/drainit.8, CONTROL). */
#ifndef DRAINIT_CTLCLIENT_H
#define DRAINIT_CTLCLIENT_H

/* Exit codes of drainit ctl (EXIT_USAGE, 64, for a usage error). */
#define CTL_EXIT_OK 0
#define CTL_EXIT_FAILED 1	/* drainit refused or could not do it */
#define CTL_EXIT_NOT_READY 3	/* ready, wait-ready: not ready (or timed out) */
#define CTL_EXIT_UNAVAILABLE 69	/* EX_UNAVAILABLE: no drainit answers at the socket */

/* argv[0] is "ctl". Returns the exit code. */
int ctl_main(int argc, char **argv);

#endif
