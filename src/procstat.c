/* procstat.c: pure layer. Reads /proc/PID/stat: "pid (comm) S ppid pgrp
 * ...", where comm may hold anything, even ") ": the fields are counted
 * from the last ')'. */
#include "procstat.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool
procstat_read(pid_t pid, struct procstat *ret)
{
	char path[64], buf[512], *rp;
	ssize_t n;
	int fd, ppid, pgrp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 1, " %c %d %d", &ret->state, &ppid, &pgrp) != 3)
		return false;
	ret->ppid = (pid_t)ppid;
	ret->pgrp = (pid_t)pgrp;
	return true;
}
