/* bench-httpd: the smallest HTTP responder, a yardstick for the probe
 * scenario.
 *
 * usage: bench-httpd PORT [DELAY_MS]
 *
 * Listens on 127.0.0.1:PORT (loopback only) and, in one blocking loop,
 * accepts a connection, reads the request (one read: a probe's request
 * fits), writes a fixed "200 OK" with Connection: close, shuts the
 * connection down, reads to the client's close and closes it: the same
 * exchange as drainit's /readyz, with no event loop, no parsing and no
 * state. Whatever latency a load generator measures against it is the
 * generator's, the kernel's and the machine's share. SIGTERM ends it, at
 * once. DELAY_MS: each answer waits that long first, like a slow legacy
 * server whose requests are in flight when it is killed (the drain
 * scenario). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "common.h"

int
main(int argc, char **argv)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 6\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nready\n";
	struct sockaddr_in a = { .sin_family = AF_INET };
	char buf[8192];
	int s, one = 1;
	long port, delay_ms = 0;

	if (argc == 3)
		delay_ms = atol(argv[2]);
	if (argc < 2 || argc > 3 || (port = atol(argv[1])) <= 0 || port > 65535 || delay_ms < 0) {
		fprintf(stderr, "usage: bench-httpd PORT [DELAY_MS]\n");
		return 2;
	}
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 128) < 0) {
		fprintf(stderr, "bench-httpd: 127.0.0.1:%ld: %s\n", port, strerror(errno));
		return 1;
	}
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			continue;
		if (read(c, buf, sizeof(buf)) > 0) {
			if (delay_ms) {
				struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
				nanosleep(&ts, NULL);
			}
			(void)!write(c, resp, sizeof(resp) - 1);
		}
		shutdown(c, SHUT_WR);
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}
