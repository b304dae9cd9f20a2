/* Unit tests: HTTP request heads and status lines. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

static struct http_request req;

static enum http_parse
parse(const char *s)
{
	memset(&req, 0, sizeof(req));
	return http_parse_request(s, strlen(s), 8192, &req);
}

static bool
path_is(const char *p)
{
	return req.path_len == strlen(p) && memcmp(req.path, p, req.path_len) == 0;
}

Test(request, complete_heads)
{
	const char *r = "GET /readyz HTTP/1.1\r\nHost: x\r\nUser-Agent: kube-probe/1.29\r\n\r\n";
	cr_assert_eq(parse(r), HTTP_PARSE_OK);
	cr_expect_eq(req.method, HTTP_GET);
	cr_expect(path_is("/readyz"));
	cr_expect_null(req.query);
	cr_expect_eq(req.head_len, strlen(r));

	cr_assert_eq(parse("HEAD /livez HTTP/1.0\n\n"), HTTP_PARSE_OK, "bare LF line ends");
	cr_expect_eq(req.method, HTTP_HEAD);
	cr_expect(path_is("/livez"));

	cr_assert_eq(parse("GET /readyz?verbose HTTP/1.1\r\n\r\n"), HTTP_PARSE_OK);
	cr_expect(path_is("/readyz"));
	cr_expect_eq(req.query_len, 7);
	cr_expect(http_query_has(req.query, req.query_len, "verbose"));

	cr_assert_eq(parse("POST /readyz HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"), HTTP_PARSE_OK);
	cr_expect_eq(req.method, HTTP_OTHER);

	cr_assert_eq(parse("\r\nGET / HTTP/1.1\r\n\r\n"), HTTP_PARSE_OK, "a leading empty line");
	cr_assert_eq(parse("get / HTTP/1.1\r\n\r\n"), HTTP_PARSE_OK);
	cr_expect_eq(req.method, HTTP_OTHER, "methods are case-sensitive");
	cr_assert_eq(parse("GET / HTTP/1.1\r\nX-Empty:\r\nX-Tab:\ta\tb\r\n\r\n"), HTTP_PARSE_OK);
}

Test(request, incomplete_heads)
{
	cr_expect_eq(parse(""), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(parse("GE"), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(parse("GET /readyz HTT"), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(parse("GET /readyz HTTP/1.1\r\n"), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(parse("GET /readyz HTTP/1.1\r\nHost: x\r\n"), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(parse("GET /readyz HTTP/1.1\r\nHost: x\r\n\r"), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(parse("\r"), HTTP_PARSE_INCOMPLETE);
}

Test(request, malformed)
{
	const char *bad[] = {
		"GET\r\n\r\n",
		"GET /\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.1 extra\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET readyz HTTP/1.1\r\n\r\n",
		"GET http://x/readyz HTTP/1.1\r\n\r\n",
		"GET * HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
		"GET / HTTP/1.1\r\n: empty name\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nBad\x01: x\r\n\r\n",
		"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",
		"\x16\x03\x01\x02\x00",	/* a TLS client hello: refused at once */
		"G\x7f",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(parse(bad[i]), HTTP_PARSE_BAD, "case %zu accepted", i);

	const char nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
	cr_expect_eq(http_parse_request(nul, sizeof(nul) - 1, 8192, &req), HTTP_PARSE_BAD);
	char longm[64];
	memset(longm, 'A', sizeof(longm));
	cr_expect_eq(http_parse_request(longm, sizeof(longm), 8192, &req), HTTP_PARSE_BAD,
		     "a method longer than 32 characters");
}

Test(request, too_large)
{
	static char buf[9000];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nX-Big: ");

	memset(buf + n, 'a', sizeof(buf) - n);
	cr_expect_eq(http_parse_request(buf, 8192, 8192, &req), HTTP_PARSE_TOO_LARGE);
	cr_expect_eq(http_parse_request(buf, 8191, 8192, &req), HTTP_PARSE_INCOMPLETE);
	/* A head that ends exactly at the limit is fine. */
	memcpy(buf + 8192 - 4, "\r\n\r\n", 4);
	cr_expect_eq(http_parse_request(buf, 8192, 8192, &req), HTTP_PARSE_OK);
	cr_expect_eq(req.head_len, 8192);
}

Test(request, query_parameters)
{
	const char *q = "a=1&verbose=0&b";
	cr_expect(http_query_has(q, strlen(q), "verbose"));
	cr_expect(http_query_has(q, strlen(q), "b"));
	cr_expect(http_query_has(q, strlen(q), "a"));
	cr_expect_not(http_query_has(q, strlen(q), "verb"));
	cr_expect_not(http_query_has(q, strlen(q), "1"));
	cr_expect_not(http_query_has(NULL, 0, "verbose"));
	cr_expect_not(http_query_has("verbosex", 8, "verbose"));
}

Test(status, lines)
{
	int code = 0;
	cr_expect_eq(http_parse_status("HTTP/1.1 200 OK\r\n", 17, &code), HTTP_PARSE_OK);
	cr_expect_eq(code, 200);
	cr_expect_eq(http_parse_status("HTTP/1.0 503", 12, &code), HTTP_PARSE_OK);
	cr_expect_eq(code, 503);
	cr_expect_eq(http_parse_status("HTTP/1.1 30", 11, &code), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(http_parse_status("HTT", 3, &code), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(http_parse_status("SSH-2.0-OpenSSH", 15, &code), HTTP_PARSE_BAD);
	cr_expect_eq(http_parse_status("HTTP/1.1 2x0 OK", 15, &code), HTTP_PARSE_BAD);
	cr_expect_eq(http_parse_status("HTTP/1.1 2000 OK", 16, &code), HTTP_PARSE_BAD);
	cr_expect_eq(http_parse_status("HTTP/2 200", 10, &code), HTTP_PARSE_BAD);
}

Test(request, resumes_as_bytes_arrive)
{
	const char *full = "GET /status HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nX: 1\r\n\r\n";
	size_t n = strlen(full);
	struct http_request r;
	enum http_parse st = HTTP_PARSE_INCOMPLETE;

	memset(&r, 0, sizeof(r));
	for (size_t len = 1; len <= n; len++) {
		st = http_parse_request(full, len, 8192, &r);
		if (len < n)
			cr_assert_eq(st, HTTP_PARSE_INCOMPLETE, "at %zu bytes", len);
	}
	cr_expect_eq(st, HTTP_PARSE_OK);
	cr_expect_eq(r.head_len, n);
	cr_expect_eq(r.method, HTTP_GET);
	cr_expect_eq(r.path_len, 7);
	cr_expect_eq(r.scan, n - 2, "checked header lines are not checked again");

	/* A bad line after good ones is still caught on a later call. */
	const char *bad = "GET / HTTP/1.1\r\nHost: a\r\nbad line\r\n\r\n";
	memset(&r, 0, sizeof(r));
	cr_expect_eq(http_parse_request(bad, 25, 8192, &r), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(http_parse_request(bad, strlen(bad), 8192, &r), HTTP_PARSE_BAD);
}
