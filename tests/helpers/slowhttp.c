/* slowhttp: a slow HTTP server for the probe and check tests.
 *
 *   --port P           listen on 127.0.0.1:P (required)
 *   --listen-after MS  sleep MS milliseconds before listening
 *   --delay MS         take MS milliseconds over every request
 *   --status N         answer with status N (default 200)
 *   --name N           prefix of its output lines (default "slowhttp")
 *
 * Prints "NAME: listening on P" once it listens, then serves one
 * connection at a time: reads the request head, waits, answers, closes.
 * Exits 0 on SIGTERM. A helper may block and sleep; drainit may not. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void
on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
main(int argc, char **argv)
{
	const char *name = "slowhttp";
	long port = 0, after = 0, delay = 0, status = 200;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, one = 1;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--listen-after"))
			after = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--delay"))
			delay = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--status"))
			status = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--name"))
			name = argv[i + 1];
		else {
			fprintf(stderr, "slowhttp: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "slowhttp: --port P is required\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);	/* clients that gave up waiting */
	setvbuf(stdout, NULL, _IONBF, 0);
	sleep_ms(after);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		perror("slowhttp: bind");
		return 1;
	}
	printf("%s: listening on %ld\n", name, port);
	for (;;) {
		char buf[8192], resp[256];
		size_t len = 0;
		int c = accept(fd, NULL, NULL), n;

		if (c < 0)
			continue;
		/* Read up to the end of the head (or EOF: a tcp: check). */
		while (len < sizeof(buf) - 1) {
			ssize_t r = read(c, buf + len, sizeof(buf) - 1 - len);
			if (r <= 0)
				break;
			len += (size_t)r;
			buf[len] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
		if (len > 0) {
			sleep_ms(delay);
			n = snprintf(resp, sizeof(resp),
				     "HTTP/1.1 %ld X\r\nContent-Length: 3\r\nConnection: close\r\n\r\nhi\n",
				     status);
			(void)!write(c, resp, (size_t)n);
		}
		close(c);
	}
}
