/*
 * Log lines on standard error: "2026-11-23T10:00:00Z [1234] info: …".
 * The line is formatted into one buffer and written with one write(2),
 * so lines from several workers sharing the file never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level	 log_level = LOG_INFO;

static const char	*const level_names[LOG__MAX] = {
	"error",	/* LOG_ERROR */
	"warn",		/* LOG_WARN */
	"info",		/* LOG_INFO */
	"debug",	/* LOG_DEBUG */
};

void
log_set_level(enum log_level level)
{
	log_level = level;
}

int
log_level_parse(const char *name)
{
	int	 i;

	for (i = 0; i < LOG__MAX; i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char		 line[2048];
	struct tm	 tm;
	time_t		 now;
	va_list		 ap;
	size_t		 len;
	int		 n;

	if (level > log_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line + len, sizeof(line) - len, " [%d] %s: ",
	    (int)getpid(), level_names[level]);
	len += n;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	len = (n < 0 || (size_t)n >= sizeof(line) - len - 1) ?
	    sizeof(line) - 2 : len + n;
	line[len++] = '\n';
	(void)!write(STDERR_FILENO, line, len);
}
