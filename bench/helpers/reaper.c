/* bench-reaper: the smallest correct PID 1, a yardstick for the orphan storm.
 *
 * usage: bench-reaper PROG [ARG...]
 *
 * Starts PROG, then does nothing but block in waitpid(-1) forever: no
 * event loop, no signal handling, no bookkeeping. Whatever time the orphan
 * storm takes under it is the kernel's share (fork, exit, do_wait), which
 * every real supervisor pays too. Not a supervisor: SIGTERM is ignored as
 * PID 1, so the harness ends it with SIGKILL. */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	pid_t child;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-reaper PROG [ARG...]\n");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("bench-reaper: fork");
		return 1;
	}
	if (child == 0) {
		execv(argv[1], argv + 1);
		perror("bench-reaper: exec");
		_exit(127);
	}
	for (;;) {
		if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
			pause();
	}
}
