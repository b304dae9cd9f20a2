/* tnotify: an sd_notify client for the notify tests. Runs its options in
 * order, then waits for SIGTERM (and exits 0):
 *
 *   --name N        prefix of its output lines (default "tnotify")
 *   --print-env     print NOTIFY_SOCKET and WATCHDOG_USEC as it got them
 *   --sleep MS      sleep MS milliseconds
 *   --send MSG      send MSG to $NOTIFY_SOCKET ("\n" in MSG is a newline)
 *   --ping MS N     send WATCHDOG=1 N times, MS milliseconds apart
 *   --handover      fork a child that calls setsid() and waits for
 *                   SIGTERM; send "MAINPID=<child>\nREADY=1" and exit 0
 *   --handover-grandchild  the same with a grandchild (its parent, a
 *                   child that stays, waits for SIGTERM too): a MAINPID=
 *                   that is not drainit's child
 *
 * Prints "NAME: sent MSG" after each message, "NAME: child pid=P" for
 * --handover, "NAME: grandchild pid=P" for --handover-grandchild. A helper may block and sleep; drainit may not. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *name = "tnotify";

static void
on_term(int sig)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%s: got SIGTERM\n", name);
	(void)sig;
	(void)!write(1, buf, (size_t)n);
	_exit(0);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
send_msg(const char *raw)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[4096];
	size_t n = 0;
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path)) {
		printf("%s: no usable NOTIFY_SOCKET\n", name);
		return -1;
	}
	for (const char *p = raw; *p && n < sizeof(msg) - 1; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			msg[n++] = '\n';
			p++;
		} else {
			msg[n++] = *p;
		}
	}
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("%s: send failed: %s\n", name, strerror(errno));
		return -1;
	}
	close(fd);
	printf("%s: sent %s\n", name, raw);
	return 0;
}

static void
handover(void)
{
	char msg[64];
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		name = "tnotify-child";
		printf("%s: child pid=%d\n", name, (int)getpid());
		for (;;)
			pause();
	}
	snprintf(msg, sizeof(msg), "MAINPID=%d\\nREADY=1", (int)pid);
	send_msg(msg);
	sleep_ms(200);
	exit(0);
}

static void
handover_grandchild(void)
{
	char msg[64];
	int p[2];
	pid_t gc = -1;

	if (pipe(p) < 0)
		exit(2);
	if (fork() == 0) {
		pid_t pid = fork();

		if (pid == 0) {
			setsid();
			name = "tnotify-grandchild";
			for (;;)
				pause();
		}
		(void)!write(p[1], &pid, sizeof(pid));
		name = "tnotify-child";
		for (;;)
			pause();
	}
	if (read(p[0], &gc, sizeof(gc)) != (ssize_t)sizeof(gc))
		exit(2);
	printf("%s: grandchild pid=%d\n", name, (int)gc);
	snprintf(msg, sizeof(msg), "MAINPID=%d\\nREADY=1", (int)gc);
	send_msg(msg);
	sleep_ms(200);
	exit(0);
}

int
main(int argc, char **argv)
{
	signal(SIGTERM, on_term);
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--name") && i + 1 < argc) {
			name = argv[++i];
		} else if (!strcmp(a, "--print-env")) {
			const char *s = getenv("NOTIFY_SOCKET"), *w = getenv("WATCHDOG_USEC");
			printf("%s: NOTIFY_SOCKET=%s WATCHDOG_USEC=%s\n", name, s ? s : "-", w ? w : "-");
		} else if (!strcmp(a, "--sleep") && i + 1 < argc) {
			sleep_ms(atol(argv[++i]));
		} else if (!strcmp(a, "--send") && i + 1 < argc) {
			send_msg(argv[++i]);
		} else if (!strcmp(a, "--ping") && i + 2 < argc) {
			long ms = atol(argv[i + 1]), count = atol(argv[i + 2]);
			i += 2;
			for (long k = 0; k < count; k++) {
				send_msg("WATCHDOG=1");
				sleep_ms(ms);
			}
		} else if (!strcmp(a, "--handover")) {
			handover();
		} else if (!strcmp(a, "--handover-grandchild")) {
			handover_grandchild();
		} else {
			fprintf(stderr, "tnotify: unknown option %s\n", a);
			return 2;
		}
	}
	printf("%s: waiting\n", name);
	for (;;)
		pause();
}
