/* http.c: pure layer. HTTP/1.x request heads and status lines (see http.h). */
#include "http.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define METHOD_MAX 32

static bool
is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One line [p, end) without its line end: returns its length and sets
 * *next past the '\n', or returns -1 when no '\n' is in [p, lim). */
static long
next_line(const char *p, const char *lim, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(lim - p));
	size_t l;

	if (!nl)
		return -1;
	*next = nl + 1;
	l = (size_t)(nl - p);
	if (l > 0 && p[l - 1] == '\r')
		l--;
	return (long)l;
}

static bool
parse_request_line(const char *p, size_t l, struct http_request *req)
{
	size_t i = 0, m, t0;

	while (i < l && is_tchar((unsigned char)p[i]))
		i++;
	m = i;
	if (m == 0 || m > METHOD_MAX || i >= l || p[i] != ' ')
		return false;
	i++;
	t0 = i;
	while (i < l && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f)
		i++;
	if (i == t0 || i >= l || p[i] != ' ' || p[t0] != '/')
		return false;
	req->path = p + t0;
	req->path_len = i - t0;
	req->query = memchr(req->path, '?', req->path_len);
	if (req->query) {
		req->query_len = req->path_len - (size_t)(req->query - req->path) - 1;
		req->path_len = (size_t)(req->query - req->path);
		req->query++;
	} else {
		req->query_len = 0;
	}
	i++;
	if (l - i != 8 || memcmp(p + i, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)p[i + 7]))
		return false;
	if (m == 3 && memcmp(p, "GET", 3) == 0)
		req->method = HTTP_GET;
	else if (m == 4 && memcmp(p, "HEAD", 4) == 0)
		req->method = HTTP_HEAD;
	else
		req->method = HTTP_OTHER;
	return true;
}

static bool
valid_field(const char *p, size_t l)
{
	size_t i = 0;

	while (i < l && is_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= l || p[i] != ':')
		return false;
	for (i++; i < l; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* Whether [p, p + n), which holds no line end, can still grow into a
 * request line that parse_request_line accepts: its rules, applied as far
 * as the bytes go. */
static bool
request_line_prefix(const char *p, size_t n)
{
	static const char version[] = "HTTP/1.";
	size_t i = 0;

	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i > METHOD_MAX)
		return false;
	if (i == n)
		return true;
	if (i == 0 || p[i] != ' ')
		return false;	/* a method is one token, then a space */
	if (++i == n)
		return true;
	if (p[i] != '/')
		return false;
	while (i < n && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f)
		i++;
	if (i == n)
		return true;
	if (p[i++] != ' ')
		return false;
	for (size_t k = 0; k < sizeof(version) - 1; k++, i++) {
		if (i == n)
			return true;
		if (p[i] != version[k])
			return false;
	}
	if (i == n)
		return true;
	if (!isdigit((unsigned char)p[i++]))
		return false;
	return i == n || (p[i] == '\r' && i + 1 == n);
}

enum http_parse
http_parse_request(const char *buf, size_t len, size_t max, struct http_request *req)
{
	const char *lim = buf + (len < max ? len : max), *p = buf, *next;
	bool full = len >= max;	/* nothing more can arrive */
	long l;

	/* RFC 9112 2.2: ignore an empty line before the request line. */
	for (int skip = 0; skip < 2; skip++) {
		if (p < lim && *p == '\n')
			p++;
		else if (lim - p >= 2 && p[0] == '\r' && p[1] == '\n')
			p += 2;
		else if (lim - p == 1 && *p == '\r')
			return full ? HTTP_PARSE_BAD : HTTP_PARSE_INCOMPLETE;
	}
	l = next_line(p, lim, &next);
	if (l < 0) {
		/* Refuse garbage early: what cannot begin a request line is
		 * bad however it goes on, and so is a full buffer without a
		 * line end. */
		if (full || !request_line_prefix(p, (size_t)(lim - p)))
			return HTTP_PARSE_BAD;
		return HTTP_PARSE_INCOMPLETE;
	}
	if (!parse_request_line(p, (size_t)l, req))
		return HTTP_PARSE_BAD;
	p = next;
	if (req->scan > (size_t)(p - buf) && req->scan <= (size_t)(lim - buf))
		p = buf + req->scan;	/* lines before are checked already */
	for (;;) {
		if (p < lim && (*p == ' ' || *p == '\t'))
			return HTTP_PARSE_BAD;	/* obsolete line folding */
		l = next_line(p, lim, &next);
		if (l < 0) {
			/* Complete lines are checked by valid_field; a NUL in
			 * the one still arriving can only make it bad. Bytes
			 * after a complete head are not looked at. */
			if (memchr(p, '\0', (size_t)(lim - p)))
				return HTTP_PARSE_BAD;
			return full ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
		}
		if (l == 0) {
			req->head_len = (size_t)(next - buf);
			return HTTP_PARSE_OK;
		}
		if (!valid_field(p, (size_t)l))
			return HTTP_PARSE_BAD;
		p = next;
		req->scan = (size_t)(p - buf);
	}
}

bool
http_query_has(const char *q, size_t qlen, const char *name)
{
	size_t n = strlen(name);
	const char *end;

	if (!q)
		return false;	/* no query string: q + 0 would be NULL + 0 */
	end = q + qlen;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(pe - q));
		const char *ke = eq ? eq : pe;

		if ((size_t)(ke - q) == n && memcmp(q, name, n) == 0)
			return true;
		q = amp ? amp + 1 : end;
	}
	return false;
}

bool
http_query_get(const char *q, size_t qlen, const char *name, const char **val, size_t *vlen)
{
	size_t n = strlen(name);
	const char *end;

	if (!q)
		return false;
	end = q + qlen;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(pe - q));

		if (eq && (size_t)(eq - q) == n && memcmp(q, name, n) == 0) {
			*val = eq + 1;
			*vlen = (size_t)(pe - eq - 1);
			return true;
		}
		q = amp ? amp + 1 : end;
	}
	return false;
}

bool
http_header_get(const char *head, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t n = strlen(name);
	const char *p = memchr(head, '\n', len), *end = head + len;

	while (p && ++p < end) {	/* past the request line, one header line at a time */
		const char *le = memchr(p, '\n', (size_t)(end - p)), *v, *ve;

		if (!le)
			return false;
		if ((size_t)(le - p) > n && p[n] == ':' && strncasecmp(p, name, n) == 0) {
			for (v = p + n + 1; v < le && (*v == ' ' || *v == '\t'); v++)
				;
			for (ve = le; ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'); ve--)
				;
			*val = v;
			*vlen = (size_t)(ve - v);
			return true;
		}
		p = le;
	}
	return false;
}

bool
http_secret_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = alen != blen;
	size_t n = alen > blen ? alen : blen;

	/* the time depends on the longer length only, never on where they differ */
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)((i < alen ? a[i] : 0) ^ (i < blen ? b[i] : 0));
	return diff == 0;
}

enum http_parse
http_parse_status(const char *buf, size_t len, int *code)
{
	static const char pfx[] = "HTTP/1.";
	size_t n = len < 13 ? len : 13;

	for (size_t i = 0; i < n && i < 7; i++)
		if (buf[i] != pfx[i])
			return HTTP_PARSE_BAD;
	if (len < 12)
		return HTTP_PARSE_INCOMPLETE;
	if (!isdigit((unsigned char)buf[7]) || buf[8] != ' ' ||
	    !isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10]) ||
	    !isdigit((unsigned char)buf[11]))
		return HTTP_PARSE_BAD;
	if (len > 12 && buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n')
		return HTTP_PARSE_BAD;
	*code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	return HTTP_PARSE_OK;
}

const char *
http_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}
