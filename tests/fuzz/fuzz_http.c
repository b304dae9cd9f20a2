/* libFuzzer target: the probe server's request-head parser
 * (http_parse_request, http_query_has) and the check's status-line parser
 * (http_parse_status), over arbitrary bytes.
 *
 * Beyond "no crash, no sanitizer report", it checks what the probe
 * server relies on:
 *  - a result other than INCOMPLETE is final: every longer buffer that
 *    starts with the same bytes gets the same answer (an early 400 never
 *    refuses a request that would have become valid);
 *  - parsing as the bytes arrive, with req->scan carried between calls,
 *    gives what one call over the same bytes gives;
 *  - an OK head lies inside the buffer, its path starts with '/', and
 *    TOO_LARGE comes only from a full buffer.
 * The first input byte picks the chunk size and the head limit; the rest
 * is the request. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_http: check failed: %s (line %d)\n", \
				#cond, __LINE__);                            \
			abort();                                             \
		}                                                            \
	} while (0)

static void
check_ok(const char *buf, size_t len, const struct http_request *r)
{
	CHECK(r->head_len > 0 && r->head_len <= len);
	CHECK(r->path >= buf && r->path + r->path_len <= buf + r->head_len);
	CHECK(r->path_len > 0 && r->path[0] == '/');
	CHECK(memchr(r->path, '?', r->path_len) == NULL);
	if (r->query) {
		CHECK(r->query == r->path + r->path_len + 1);
		CHECK(r->query + r->query_len <= buf + r->head_len);
	}
	CHECK(buf[r->head_len - 1] == '\n');
	(void)http_query_has(r->query, r->query_len, "verbose");
	(void)http_query_has(r->query, r->query_len, "");
	(void)http_query_has(r->query, r->query_len, "a=b");
}

static void
same_request(const struct http_request *a, const struct http_request *b)
{
	CHECK(a->method == b->method);
	CHECK(a->head_len == b->head_len);
	CHECK(a->path == b->path && a->path_len == b->path_len);
	CHECK(a->query == b->query && a->query_len == b->query_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf;
	size_t len, max, chunk, at;
	struct http_request inc, whole, first;
	enum http_parse r = HTTP_PARSE_INCOMPLETE, final = HTTP_PARSE_INCOMPLETE;
	size_t final_at = 0;
	int code;

	if (size < 1)
		return 0;
	/* Small limits reach TOO_LARGE and the full-buffer rules quickly. */
	max = data[0] & 0x80 ? 8192 : 8 + (size_t)(data[0] & 0x7f) * 4;
	chunk = 1 + (size_t)(data[0] % 7) * (data[0] % 7);
	buf = (const char *)data + 1;
	len = size - 1;
	if (len > max)
		len = max;	/* the probe server never passes more than its buffer */
	if (chunk < len / 64)
		chunk = len / 64;	/* bounds the work: at most ~64 calls */

	memset(&inc, 0, sizeof(inc));
	for (at = chunk < len ? chunk : len;; at = at + chunk < len ? at + chunk : len) {
		r = http_parse_request(buf, at, max, &inc);
		memset(&whole, 0, sizeof(whole));
		enum http_parse w = http_parse_request(buf, at, max, &whole);
		CHECK(r == w);
		if (r == HTTP_PARSE_OK) {
			same_request(&inc, &whole);
			check_ok(buf, at, &inc);
		}
		if (r == HTTP_PARSE_TOO_LARGE)
			CHECK(at >= max);
		if (final == HTTP_PARSE_INCOMPLETE && r != HTTP_PARSE_INCOMPLETE) {
			final = r;
			final_at = at;
			first = inc;
		} else if (final != HTTP_PARSE_INCOMPLETE) {
			/* Once decided, more bytes change nothing. */
			CHECK(r == final);
			if (r == HTTP_PARSE_OK)
				same_request(&inc, &first);
		}
		if (at >= len)
			break;
		if (final != HTTP_PARSE_INCOMPLETE && at - final_at > 4 * chunk)
			break;
	}
	/* A full buffer is always decided: nothing more could arrive. */
	if (len == max && max > 0)
		CHECK(r != HTTP_PARSE_INCOMPLETE);

	if (http_parse_status(buf, len, &code) == HTTP_PARSE_OK)
		CHECK(code >= 0 && code <= 999);
	(void)http_query_has(buf, len, "verbose");
	return 0;
}
