/* noreap: a broken init for negative controls. Runs its arguments as a
 * child and then never waits for anything, so orphans stay zombies. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: noreap CMD [ARG...]\n");
		return 2;
	}
	signal(SIGCHLD, SIG_DFL);
	if (fork() == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	for (;;)
		pause();
}
