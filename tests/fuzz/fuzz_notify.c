/* libFuzzer target: the sd_notify datagram parser (notify_parse).
 * Checks besides "no crash": the verdict on empty and NUL-holding
 * messages, a STATUS= that is terminated and free of control characters
 * (it goes into log lines and /status), and a MAINPID that is a plausible
 * pid whenever it is accepted. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdnotify.h"

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_notify: check failed: %s (line %d)\n", \
				#cond, __LINE__);                            \
			abort();                                             \
		}                                                            \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_msg m;
	int r;

	if (size > NOTIFY_MSG_MAX)
		size = NOTIFY_MSG_MAX;	/* the socket reads at most this much */
	r = notify_parse((const char *)data, size, &m);
	if (size == 0 || memchr(data, '\0', size)) {
		CHECK(r == -EINVAL);
		return 0;
	}
	CHECK(r == 0);
	if (m.has_status) {
		size_t n = strnlen(m.status, sizeof(m.status));
		CHECK(n < sizeof(m.status));
		for (size_t i = 0; i < n; i++)
			CHECK((unsigned char)m.status[i] >= 0x20 && m.status[i] != 0x7f);
	}
	if (m.has_mainpid)
		CHECK(m.mainpid > 0);
	if (m.ready || m.stopping || m.watchdog || m.watchdog_trigger || m.has_status ||
	    m.has_mainpid || m.bad_mainpid)
		CHECK(size >= 7);	/* the shortest assignment drainit knows */
	return 0;
}
