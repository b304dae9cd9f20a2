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

/* Every prefix of a valid head is incomplete, never bad: the early
 * refusal of garbage must not refuse a request still arriving. */
Test(request, prefixes_of_valid_heads_are_incomplete)
{
	const char *heads[] = {
		"GET /readyz?verbose HTTP/1.1\r\nHost: x\r\n\r\n",
		"HEAD /livez HTTP/1.0\n\n",
		"\r\n\nGET / HTTP/1.1\r\n\r\n",
		"M-SEARCH.x!#$%&'*+^_`|~ /a/b?c=d&e HTTP/1.9\r\n\r\n",
	};
	for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
		size_t n = strlen(heads[k]);
		for (size_t len = 0; len < n; len++) {
			memset(&req, 0, sizeof(req));
			cr_assert_eq(http_parse_request(heads[k], len, 8192, &req), HTTP_PARSE_INCOMPLETE,
				     "head %zu refused at %zu bytes", k, len);
		}
		memset(&req, 0, sizeof(req));
		cr_expect_eq(http_parse_request(heads[k], n, 8192, &req), HTTP_PARSE_OK, "head %zu", k);
	}
}

/* Bytes that cannot begin a request line are bad before any line end. */
Test(request, junk_is_bad_before_a_line_end)
{
	const char *junk[] = {
		"\x16\x03\x01\x00\xc4\x01\x00\x00\xc0\x03\x03",	/* TLS ClientHello */
		"GET\t/",		/* a method ends with a space */
		" GET /",
		"GET  /",
		"GET x",		/* origin-form only */
		"GET /a\x01",
		"GET /a\rb",
		"GET / HTTX",
		"GET / HTTP/2",
		"GET / HTTP/1.x",
		"GET / HTTP/1.1x",
		"GET / HTTP/1.1\r\r",
		"GET / HTTP/1.1 ",
		"\r\n\r\n\r\n",		/* a third empty line */
		"\rX",
		"SSH-2.0-OpenSSH_9.2p1 Debian-2",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	/* 33: longer than any method */
		"\x80\x01",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		cr_expect_eq(parse(junk[i]), HTTP_PARSE_BAD, "case %zu not refused", i);
	cr_expect_eq(parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), HTTP_PARSE_INCOMPLETE,
		     "32 token characters can still be a method");

	/* 65 bytes and more of junk in one piece: bad, like its first byte. */
	char tls[300];
	for (size_t i = 0; i < sizeof(tls); i++)
		tls[i] = (char)(0x16 + i * 7);
	for (size_t len = 1; len <= sizeof(tls); len += 64)
		cr_expect_eq(http_parse_request(tls, len, 8192, &req), HTTP_PARSE_BAD, "at %zu", len);
}

/* A full buffer without a line end is bad (there is no head to answer
 * 431 about); one with header lines but no end of head is too large. */
Test(request, full_buffer)
{
	static char buf[8192];

	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', sizeof(buf) - 5);
	cr_expect_eq(http_parse_request(buf, sizeof(buf) - 1, sizeof(buf), &req), HTTP_PARSE_INCOMPLETE);
	cr_expect_eq(http_parse_request(buf, sizeof(buf), sizeof(buf), &req), HTTP_PARSE_BAD);
	memset(buf, 'G', sizeof(buf));
	cr_expect_eq(http_parse_request(buf, sizeof(buf), sizeof(buf), &req), HTTP_PARSE_BAD);
	memcpy(buf, "GET / HTTP/1.1\r\nX: ", 19);
	memset(buf + 19, 'a', sizeof(buf) - 19);
	cr_expect_eq(http_parse_request(buf, sizeof(buf), sizeof(buf), &req), HTTP_PARSE_TOO_LARGE);
	cr_expect_eq(http_parse_request("\r", 1, 1, &req), HTTP_PARSE_BAD);
}

/* Only the head is looked at: a body with a NUL byte does not turn a
 * complete head into a bad request, whether it came in the same read or
 * later. A NUL in a header line still arriving is bad at once. */
Test(request, nul_only_counts_in_the_head)
{
	const char r[] = "POST /readyz HTTP/1.1\r\nContent-Length: 3\r\n\r\na\0b";
	cr_expect_eq(http_parse_request(r, sizeof(r) - 1, 8192, &req), HTTP_PARSE_OK);
	cr_expect_eq(req.head_len, sizeof(r) - 4);
	cr_expect_eq(req.method, HTTP_OTHER);

	const char partial[] = "GET / HTTP/1.1\r\nX: a\0";
	memset(&req, 0, sizeof(req));
	cr_expect_eq(http_parse_request(partial, sizeof(partial) - 1, 8192, &req), HTTP_PARSE_BAD);
	const char inline_nul[] = "GET /\0 HTTP/1.1";
	cr_expect_eq(http_parse_request(inline_nul, sizeof(inline_nul) - 1, 8192, &req), HTTP_PARSE_BAD);
}
