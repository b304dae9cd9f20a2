/* A main() for the fuzz targets without libFuzzer: runs
 * LLVMFuzzerTestOneInput once over each file named on the command line,
 * or over each file in a named directory. Built with whatever compiler
 * builds drainit, so the seed and regression corpora are replayed by
 * `meson test` in every build, under the sanitizers when they are on.
 * Exit status 0 when every input ran and there was at least one (a
 * failed check aborts). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap ? cap * 2 : 4096);
			if (!nb) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
	int failed = 0, count = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **ents;
		int n;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			failed++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed += replay_file(argv[i]) < 0;
			count++;
			continue;
		}
		n = scandir(argv[i], &ents, NULL, by_name);
		if (n < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			failed++;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char p[4096];
			if (ents[k]->d_name[0] != '.' &&
			    (size_t)snprintf(p, sizeof(p), "%s/%s", argv[i], ents[k]->d_name) < sizeof(p) &&
			    stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				failed += replay_file(p) < 0;
				count++;
			}
			free(ents[k]);
		}
		free(ents);
	}
	printf("replayed %d inputs, %d unreadable\n", count, failed);
	if (count == 0)
		fprintf(stderr, "replay: no input found: an empty corpus tests nothing\n");
	return failed || count == 0 ? 1 : 0;
}
