/* spec.c: pure layer. Listen addresses and check specs. Pure functions (see spec.h). */
#include "spec.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

const char *
check_kind_name(enum check_kind k)
{
	static const char *const names[_CHECK_MAX] = {
		[CHECK_NONE] = "none",	 [CHECK_TCP] = "tcp",	 [CHECK_HTTP] = "http",
		[CHECK_EXEC] = "exec",	 [CHECK_NOTIFY] = "notify",
		[CHECK_LISTEN] = "listen",
	};
	return (unsigned)k < _CHECK_MAX ? names[k] : "?";
}

int
parse_count(const char *s, unsigned lo, unsigned hi, unsigned *ret)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > hi)
			return -EINVAL;
	}
	if (v < lo)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int
parse_port(const char *s, size_t len, unsigned *port, const char **why)
{
	unsigned long v = 0;

	if (len == 0) {
		*why = "missing port";
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]) || v > 65535) {
			*why = "the port must be a number from 1 to 65535";
			return -EINVAL;
		}
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > 65535) {
		*why = "the port must be a number from 1 to 65535";
		return -EINVAL;
	}
	*port = (unsigned)v;
	return 0;
}

/* HOST (numeric IPv4, [IPv6] or localhost) and PORT into a sockaddr. */
static int
parse_host(const char *h, size_t hlen, unsigned port, struct sockaddr_storage *ss,
	   socklen_t *sl, const char **why)
{
	char host[INET6_ADDRSTRLEN + 2];

	memset(ss, 0, sizeof(*ss));
	if (hlen == 0) {
		*why = "missing host";
		return -EINVAL;
	}
	if (hlen >= sizeof(host)) {
		*why = "the host must be an IP address or localhost, IPv6 in brackets; names are not resolved";
		return -EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (hlen < 3 || host[hlen - 1] != ']') {
			*why = "an IPv6 address goes in brackets, as in [::1]:8080";
			return -EINVAL;
		}
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1) {
			*why = "invalid IPv6 address";
			return -EINVAL;
		}
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
		return 0;
	}
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (strcmp(host, "localhost") == 0)
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
			struct in6_addr a6;
			if (inet_pton(AF_INET6, host, &a6) == 1)
				*why = "an IPv6 address goes in brackets, as in [::1]:8080";
			else
				*why = "the host must be an IP address or localhost, IPv6 in brackets; names are not resolved";
			return -EINVAL;
		}
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*s4);
	}
	return 0;
}

/* Splits "HOST:PORT" at the colon that ends the host. */
static int
split_hostport(const char *s, size_t len, size_t *hlen, const char **port, size_t *plen,
	       const char **why)
{
	const char *colon;

	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);
		if (!rb) {
			*why = "an IPv6 address goes in brackets, as in [::1]:8080";
			return -EINVAL;
		}
		colon = rb + 1 < s + len && rb[1] == ':' ? rb + 1 : NULL;
		if (!colon && rb + 1 != s + len) {
			*why = "expected ':' and a port after the IPv6 address";
			return -EINVAL;
		}
	} else {
		colon = NULL;
		for (const char *p = s + len; p > s; p--)
			if (p[-1] == ':') {
				colon = p - 1;
				break;
			}
	}
	if (!colon) {
		*hlen = len;
		*port = NULL;
		*plen = 0;
		return 0;
	}
	*hlen = (size_t)(colon - s);
	*port = colon + 1;
	*plen = len - *hlen - 1;
	return 0;
}

int
parse_listen_addr(const char *s, struct listen_addr *ret, const char **why)
{
	struct listen_addr a;
	const char *port;
	size_t len, hlen, plen;

	if (!s || !*s) {
		*why = "empty: use e.g. 0.0.0.0:8080, [::]:8080 or :8080";
		return -EINVAL;
	}
	len = strlen(s);
	memset(&a, 0, sizeof(a));
	if (split_hostport(s, len, &hlen, &port, &plen, why) < 0)
		return -EINVAL;
	if (!port) {
		*why = "missing port: use HOST:PORT or :PORT";
		return -EINVAL;
	}
	if (parse_port(port, plen, &a.port, why) < 0)
		return -EINVAL;
	if (hlen == 0) {
		a.any = true;
	} else if (parse_host(s, hlen, a.port, &a.ss, &a.len, why) < 0) {
		return -EINVAL;
	}
	*ret = a;
	return 0;
}

const char *
format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, (unsigned)ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, (unsigned)ntohs(s4->sin_port));
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

void
check_spec_free(struct check_spec *c)
{
	free(c->text);
	free(c->label);
	free(c->host);
	free(c->path);
	argv_free(c->argv);
	memset(c, 0, sizeof(*c));
}

static int
parse_net(const char *rest, bool http, struct check_spec *c, const char **why)
{
	const char *slash = http ? strchr(rest, '/') : NULL;
	size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
	const char *port;
	size_t hlen, plen;
	unsigned pnum = 80;
	char abuf[64];

	if (split_hostport(rest, len, &hlen, &port, &plen, why) < 0)
		return -EINVAL;
	if (!port && !http) {
		*why = "missing port: use tcp:HOST:PORT";
		return -EINVAL;
	}
	if (port && parse_port(port, plen, &pnum, why) < 0)
		return -EINVAL;
	if (parse_host(rest, hlen, pnum, &c->addr, &c->addrlen, why) < 0)
		return -EINVAL;
	format_sockaddr((struct sockaddr *)&c->addr, abuf, sizeof(abuf));
	if (http) {
		const char *path = slash ? slash : "/";
		for (const char *p = path; *p; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '#') {
				*why = "the path may hold only visible ASCII characters, no spaces and no '#'";
				return -EINVAL;
			}
		c->host = strndup(rest, len);
		c->path = strdup(path);
		if (asprintf(&c->label, "http %s%s", abuf, path) < 0)
			c->label = NULL;
	} else {
		if (asprintf(&c->label, "tcp %s", abuf) < 0)
			c->label = NULL;
	}
	return 0;
}

int
parse_check_spec(const char *s, bool allow_notify, struct check_spec *ret, const char **why)
{
	struct check_spec c;
	int r = 0;

	memset(&c, 0, sizeof(c));
	if (!s || !*s) {
		*why = "empty value";
		return -EINVAL;
	}
	if (strcmp(s, "none") == 0) {
		c.kind = CHECK_NONE;
	} else if (strcmp(s, "notify") == 0) {
		if (!allow_notify) {
			*why = "notify is for ready only; a notify service proves liveness with WATCHDOG=1, see the watchdog key";
			return -EINVAL;
		}
		c.kind = CHECK_NOTIFY;
	} else if (strncmp(s, "tcp:", 4) == 0) {
		c.kind = CHECK_TCP;
		r = parse_net(s + 4, false, &c, why);
	} else if (strncmp(s, "http://", 7) == 0) {
		c.kind = CHECK_HTTP;
		r = parse_net(s + 7, true, &c, why);
	} else if (strncmp(s, "https://", 8) == 0) {
		*why = "https is not supported; use http://, or exec: with a client such as curl";
		return -EINVAL;
	} else if (strcmp(s, "listen") == 0 || strncmp(s, "listen:", 7) == 0) {
		long port = 0;
		c.kind = CHECK_LISTEN;
		if (s[6] == ':' && parse_int_range(s + 7, 1, 65535, &port) < 0) {
			*why = "use listen or listen:PORT, PORT from 1 to 65535";
			return -EINVAL;
		}
		c.port = (unsigned)port;
		if (port)
			r = asprintf(&c.label, "listen on port %ld", port) < 0 ? -ENOMEM : 0;
		else if (!(c.label = strdup("listen")))
			r = -ENOMEM;
	} else if (strncmp(s, "exec:", 5) == 0) {
		int argc;
		c.kind = CHECK_EXEC;
		r = split_argv(s + 5, &c.argv, &argc, why);
		if (r == -EINVAL) {
			check_spec_free(&c);
			return r;
		}
		if (r == 0 && !(c.label = strdup("exec")))
			r = -ENOMEM;
	} else {
		*why = allow_notify
			       ? "use tcp:HOST:PORT, http://HOST:PORT/PATH, exec:COMMAND, listen[:PORT], notify or none"
			       : "use tcp:HOST:PORT, http://HOST:PORT/PATH, exec:COMMAND, listen[:PORT] or none";
		return -EINVAL;
	}
	if (r == 0 && c.kind != CHECK_EXEC && c.kind != CHECK_TCP && c.kind != CHECK_HTTP &&
	    c.kind != CHECK_LISTEN)
		c.label = strdup(check_kind_name(c.kind));
	if (r == 0) {
		c.text = strdup(s);
		if (!c.text || !c.label || (c.kind == CHECK_HTTP && (!c.host || !c.path)))
			r = -ENOMEM;
	}
	if (r < 0) {
		check_spec_free(&c);
		return r;
	}
	*ret = c;
	return 0;
}
