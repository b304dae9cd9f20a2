/* sdnotify.c: pure layer. Parses one sd_notify datagram. */
#include "sdnotify.h"

#include <errno.h>
#include <string.h>

int
notify_parse(const char *buf, size_t len, struct notify_msg *m)
{
	const char *p = buf, *end = buf + len;

	memset(m, 0, sizeof(*m));
	if (len == 0 || memchr(buf, '\0', len))
		return -EINVAL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t l = (size_t)(le - p);

#define IS(lit) (l == sizeof(lit) - 1 && memcmp(p, lit, l) == 0)
#define HAS(pfx) (l >= sizeof(pfx) - 1 && memcmp(p, pfx, sizeof(pfx) - 1) == 0)
		if (IS("READY=1")) {
			m->ready = true;
		} else if (IS("STOPPING=1")) {
			m->stopping = true;
		} else if (IS("WATCHDOG=1")) {
			m->watchdog = true;
		} else if (IS("WATCHDOG=trigger")) {
			m->watchdog_trigger = true;
		} else if (HAS("STATUS=")) {
			size_t n = l - 7, k;
			if (n > sizeof(m->status) - 1)
				n = sizeof(m->status) - 1;
			for (k = 0; k < n; k++) {
				unsigned char c = (unsigned char)p[7 + k];
				m->status[k] = c < 0x20 || c == 0x7f ? '?' : (char)c;
			}
			m->status[k] = '\0';
			m->has_status = true;
		} else if (HAS("MAINPID=")) {
			long v = 0;
			size_t k = 8;
			for (; k < l && p[k] >= '0' && p[k] <= '9' && v < 1L << 30; k++)
				v = v * 10 + (p[k] - '0');
			if (k == l && l > 8 && v > 0 && v < 1L << 30) {
				m->has_mainpid = true;
				m->mainpid = (pid_t)v;
			} else {
				m->bad_mainpid = true;
			}
		}
#undef IS
#undef HAS
		p = le + 1;
	}
	return 0;
}

