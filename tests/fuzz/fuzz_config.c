/* libFuzzer target: the configuration loader (config_load), over an INI
 * file with arbitrary bytes. The input is written to a memfd and loaded
 * through /proc/self/fd/N, the way drainit loads any path; everything is
 * freed after each input, so a leak in the loader or its error paths is a
 * LeakSanitizer report.
 *
 * Checks besides "no crash": config_load returns the number of errors it
 * added; each error is one line that names the file; a file with errors
 * still frees cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_config: check failed: %s (line %d)\n", \
				#cond, __LINE__);                            \
			abort();                                             \
		}                                                            \
	} while (0)

static int memfd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct config_errors errs;
	size_t off = 0;
	int n;

	if (memfd < 0) {
		memfd = memfd_create("drainit-fuzz.ini", MFD_CLOEXEC);
		CHECK(memfd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	CHECK(ftruncate(memfd, 0) == 0);
	while (off < size) {
		ssize_t w = pwrite(memfd, data + off, size - off, (off_t)off);
		CHECK(w > 0);
		off += (size_t)w;
	}

	config_init(&cfg);
	memset(&errs, 0, sizeof(errs));
	n = config_load(path, &cfg, &errs);
	CHECK(n >= 0 && (size_t)n == errs.n);
	for (size_t i = 0; i < errs.n; i++) {
		CHECK(errs.msgs[i] != NULL);
		CHECK(strncmp(errs.msgs[i], path, strlen(path)) == 0);
		CHECK(strchr(errs.msgs[i], '\n') == NULL);
	}
	config_free(&cfg);
	config_errors_free(&errs);
	return 0;
}
