/* Unit tests: probe listen addresses and ready/health check specs. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "spec.h"

static const char *why;

static struct listen_addr
listen_ok(const char *s)
{
	struct listen_addr a;
	why = NULL;
	cr_assert_eq(parse_listen_addr(s, &a, &why), 0, "'%s' refused: %s", s, why);
	return a;
}

static const char *
listen_bad(const char *s)
{
	struct listen_addr a;
	why = NULL;
	cr_assert_eq(parse_listen_addr(s, &a, &why), -EINVAL, "'%s' accepted", s);
	cr_assert_not_null(why);
	return why;
}

static const char *
addr_text(const struct sockaddr_storage *ss)
{
	static char buf[64];
	return format_sockaddr((const struct sockaddr *)ss, buf, sizeof(buf));
}

Test(listen, accepted_forms)
{
	struct listen_addr a;

	a = listen_ok("0.0.0.0:8080");
	cr_expect_not(a.any);
	cr_expect_eq(a.port, 8080);
	cr_expect_str_eq(addr_text(&a.ss), "0.0.0.0:8080");
	cr_expect_eq(a.len, sizeof(struct sockaddr_in));

	a = listen_ok("[::]:8080");
	cr_expect_eq(a.ss.ss_family, AF_INET6);
	cr_expect_str_eq(addr_text(&a.ss), "[::]:8080");

	a = listen_ok("127.0.0.1:9000");
	cr_expect_str_eq(addr_text(&a.ss), "127.0.0.1:9000");

	a = listen_ok(":8080");
	cr_expect(a.any);
	cr_expect_eq(a.port, 8080);

	a = listen_ok("localhost:65535");
	cr_expect_str_eq(addr_text(&a.ss), "127.0.0.1:65535");

	a = listen_ok("[::1]:1");
	cr_expect_str_eq(addr_text(&a.ss), "[::1]:1");
}

Test(listen, rejected_forms)
{
	cr_expect(strstr(listen_bad(""), "empty: use e.g."));
	cr_expect(strstr(listen_bad("0.0.0.0"), "missing port"));
	cr_expect(strstr(listen_bad("8080"), "missing port"));
	cr_expect(strstr(listen_bad(":0"), "1 to 65535"));
	cr_expect(strstr(listen_bad(":65536"), "1 to 65535"));
	cr_expect(strstr(listen_bad(":99999999999"), "1 to 65535"));
	cr_expect(strstr(listen_bad(":80a"), "1 to 65535"));
	cr_expect(strstr(listen_bad("0.0.0.0:"), "missing port"));
	cr_expect(strstr(listen_bad("example.com:80"), "names are not resolved"));
	cr_expect(strstr(listen_bad("::1:80"), "brackets"));
	cr_expect(strstr(listen_bad("[::1:80"), "brackets"));
	cr_expect(strstr(listen_bad("[::1]80"), "expected ':'"));
	cr_expect(strstr(listen_bad("[nope]:80"), "invalid IPv6"));
	cr_expect(strstr(listen_bad("256.1.1.1:80"), "IP address"));
}

static struct check_spec spec;

static void
fini(void)
{
	check_spec_free(&spec);
}

static void
spec_ok(const char *s, bool allow_notify)
{
	check_spec_free(&spec);
	why = NULL;
	cr_assert_eq(parse_check_spec(s, allow_notify, &spec, &why), 0, "'%s' refused: %s", s, why);
	cr_assert_str_eq(spec.text, s);
}

static const char *
spec_bad(const char *s, bool allow_notify)
{
	struct check_spec c;
	memset(&c, 0x5a, sizeof(c));
	why = NULL;
	cr_assert_eq(parse_check_spec(s, allow_notify, &c, &why), -EINVAL, "'%s' accepted", s);
	cr_assert_not_null(why);
	return why;
}

TestSuite(checkspec, .fini = fini);

Test(checkspec, none_and_notify)
{
	spec_ok("none", false);
	cr_expect_eq(spec.kind, CHECK_NONE);
	spec_ok("notify", true);
	cr_expect_eq(spec.kind, CHECK_NOTIFY);
	cr_expect_str_eq(spec.label, "notify");
	cr_expect(strstr(spec_bad("notify", false), "notify is for ready only"));
}

Test(checkspec, tcp)
{
	spec_ok("tcp:127.0.0.1:5432", false);
	cr_expect_eq(spec.kind, CHECK_TCP);
	cr_expect_str_eq(spec.label, "tcp 127.0.0.1:5432");
	cr_expect_str_eq(addr_text(&spec.addr), "127.0.0.1:5432");
	spec_ok("tcp:[::1]:80", true);
	cr_expect_str_eq(spec.label, "tcp [::1]:80");
	spec_ok("tcp:localhost:6379", true);
	cr_expect_str_eq(spec.label, "tcp 127.0.0.1:6379");

	cr_expect(strstr(spec_bad("tcp:127.0.0.1", true), "missing port: use tcp:HOST:PORT"));
	cr_expect(strstr(spec_bad("tcp::80", true), "missing host"));
	cr_expect(strstr(spec_bad("tcp:db:5432", true), "names are not resolved"));
	cr_expect(strstr(spec_bad("tcp:127.0.0.1:70000", true), "1 to 65535"));
	cr_expect(strstr(spec_bad("tcp:", true), "missing port"));
}

Test(checkspec, http)
{
	spec_ok("http://127.0.0.1:8080/healthz?full=1", true);
	cr_expect_eq(spec.kind, CHECK_HTTP);
	cr_expect_str_eq(spec.host, "127.0.0.1:8080");
	cr_expect_str_eq(spec.path, "/healthz?full=1");
	cr_expect_str_eq(spec.label, "http 127.0.0.1:8080/healthz?full=1");
	spec_ok("http://127.0.0.1", true);
	cr_expect_str_eq(spec.path, "/");
	cr_expect_str_eq(addr_text(&spec.addr), "127.0.0.1:80");
	spec_ok("http://[::1]:81/", false);
	cr_expect_str_eq(spec.host, "[::1]:81");

	cr_expect(strstr(spec_bad("https://127.0.0.1/", true), "https is not supported"));
	cr_expect(strstr(spec_bad("http://web:80/", true), "names are not resolved"));
	cr_expect(strstr(spec_bad("http://127.0.0.1:80/a b", true), "visible ASCII"));
	cr_expect(strstr(spec_bad("http://127.0.0.1:80/#x", true), "visible ASCII"));
	cr_expect(strstr(spec_bad("http://:80/", true), "missing host"));
}

Test(checkspec, exec)
{
	spec_ok("exec:pg_isready -h 127.0.0.1 'a b'", true);
	cr_expect_eq(spec.kind, CHECK_EXEC);
	cr_expect_str_eq(spec.argv[0], "pg_isready");
	cr_expect_str_eq(spec.argv[3], "a b");
	cr_expect_null(spec.argv[4]);
	cr_expect_str_eq(spec.label, "exec");

	cr_expect_str_eq(spec_bad("exec:", true), "empty command");
	cr_expect_str_eq(spec_bad("exec:  ", true), "empty command");
	cr_expect_str_eq(spec_bad("exec:x 'y", true), "unterminated single quote");
}

Test(checkspec, unknown)
{
	cr_expect_str_eq(spec_bad("tcp", true),
			 "use tcp:HOST:PORT, http://HOST:PORT/PATH, exec:COMMAND, listen[:PORT], notify or none");
	cr_expect_str_eq(spec_bad("TCP:1.2.3.4:5", false),
			 "use tcp:HOST:PORT, http://HOST:PORT/PATH, exec:COMMAND, listen[:PORT] or none");
	cr_expect_str_eq(spec_bad("", true), "empty value");
	cr_expect_str_eq(spec_bad("yes", true),
			 "use tcp:HOST:PORT, http://HOST:PORT/PATH, exec:COMMAND, listen[:PORT], notify or none");
}

Test(count, forms)
{
	unsigned v = 42;
	cr_expect_eq(parse_count("3", 1, 1000, &v), 0);
	cr_expect_eq(v, 3);
	cr_expect_eq(parse_count("1000", 1, 1000, &v), 0);
	cr_expect_eq(parse_count("0", 1, 1000, &v), -EINVAL);
	cr_expect_eq(parse_count("1001", 1, 1000, &v), -EINVAL);
	cr_expect_eq(parse_count("-1", 1, 1000, &v), -EINVAL);
	cr_expect_eq(parse_count("3x", 1, 1000, &v), -EINVAL);
	cr_expect_eq(parse_count("", 1, 1000, &v), -EINVAL);
	cr_expect_eq(parse_count("99999999999999999999", 1, 1000, &v), -EINVAL);
	cr_expect_eq(v, 1000, "failures leave the output alone");
}
