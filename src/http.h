/* http.h: pure layer. The little HTTP/1.x drainit speaks, as pure functions over
 * byte buffers: the request head the probe server reads and the status
 * line an http:// check reads. No I/O, no allocation. */
#ifndef DRAINIT_HTTP_H
#define DRAINIT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

enum http_parse {
	HTTP_PARSE_INCOMPLETE,	/* need more bytes */
	HTTP_PARSE_OK,
	HTTP_PARSE_BAD,		/* malformed: 400 */
	HTTP_PARSE_TOO_LARGE,	/* header lines but no end of head within max bytes: 431 */
};

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

/* Pointers into the caller's buffer; valid while it is. */
struct http_request {
	enum http_method method;
	const char *path;	/* origin-form target up to '?' */
	size_t path_len;
	const char *query;	/* after '?', NULL without one */
	size_t query_len;
	size_t head_len;	/* bytes of the head, final blank line included */
	size_t scan;		/* in/out: header lines up to here are checked
				 * already; 0 at first, kept between calls on
				 * the same growing buffer */
};

/* Looks at buf[0..len) for a complete request head of at most max bytes:
 * request line ("METHOD /target HTTP/1.x"), header fields, blank line.
 * CRLF or bare LF line ends; up to two empty lines before the request
 * line are skipped. Bytes after the head (a body) are not looked at.
 * Garbage is reported as soon as it shows:
 *  - HTTP_PARSE_BAD as soon as the bytes before the first line end cannot
 *    begin a valid request line (a method is 1 to 32 token characters,
 *    then one space; then '/', the target, one space, "HTTP/1." and a
 *    digit), so a TLS ClientHello is refused from its first byte; a
 *    malformed line as soon as it is complete; a NUL byte in the head;
 *  - with len >= max: HTTP_PARSE_BAD when there is no line end at all,
 *    HTTP_PARSE_TOO_LARGE when the head has lines but no end.
 * A result other than HTTP_PARSE_INCOMPLETE stays the same for every
 * longer buffer that starts with the same bytes. Called again as more
 * bytes arrive (with the same req), it resumes at req->scan. */
enum http_parse http_parse_request(const char *buf, size_t len, size_t max,
				   struct http_request *req);

/* Whether the query string has the parameter name ("verbose",
 * "verbose=1", "a=b&verbose"). */
bool http_query_has(const char *q, size_t qlen, const char *name);

/* The value of query parameter name ("token" in "a=b&token=s3cret"): true
 * with *val (not NUL-terminated) and *vlen. */
bool http_query_get(const char *q, size_t qlen, const char *name, const char **val, size_t *vlen);
/* The value of header field name (any case) in a complete request head,
 * blanks around it removed. */
bool http_header_get(const char *head, size_t len, const char *name, const char **val,
		     size_t *vlen);
/* a equals b, in a time that does not depend on where they differ. */
bool http_secret_equal(const char *a, size_t alen, const char *b, size_t blen);

/* The status line of a response: "HTTP/1.x DDD ...". Returns
 * HTTP_PARSE_OK with *code set, HTTP_PARSE_INCOMPLETE or HTTP_PARSE_BAD. */
enum http_parse http_parse_status(const char *buf, size_t len, int *code);

/* "OK", "Service Unavailable", ... for the codes drainit sends. */
const char *http_reason(int code);

#endif
