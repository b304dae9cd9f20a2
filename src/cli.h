/* cli.h: pure layer. The command line. Produces the same struct config as the INI
 * path, so single-command mode (drainit -- CMD) is not a second code path. */
#ifndef DRAINIT_CLI_H
#define DRAINIT_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct cli {
	const char *config_path;
	bool check;
	bool verbose;
	bool help;
	bool version;
	int log_level;		/* enum log_level; -1: not given */
	int log_format;		/* enum log_format; -1: not given */
	const char *control;	/* --control PATH; NULL: not given */
	char **cmd;		/* points into argv; NULL without a command */
};

/* 0 on success; EXIT_USAGE with a one-line message in err otherwise.
 * In single-command mode c is filled and finished here. */
int cli_parse(int argc, char **argv, struct cli *o, struct config *c, char *err, size_t errlen);

void cli_usage(void);

#endif
