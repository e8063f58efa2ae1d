/*
 * Log lines on standard error: "2026-11-23T10:00:00Z [1234] info: …".
 * The line is formatted into one buffer and written with one write(2),
 * so lines from several workers sharing the file never interleave.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level	 log_level = LOG_INFO;

/* A worker logs a line per request: its pid and the current second's
 * time stamp are kept rather than asked for again. */
static pid_t		 cached_pid;
static time_t		 stamp_time = -1;
static char		 stamp[32];

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

static void
forget_pid(void)
{
	cached_pid = 0;
}

static pid_t
log_pid(void)
{
	static int	 registered;

	if (!registered)
		registered = pthread_atfork(NULL, NULL, forget_pid) == 0;
	if (cached_pid == 0 || !registered)
		cached_pid = getpid();
	return cached_pid;
}

static const char *
log_stamp(void)
{
	struct tm	 tm;
	time_t		 now = time(NULL);

	if (now != stamp_time) {
		gmtime_r(&now, &tm);
		if (strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ",
		    &tm) == 0)
			stamp[0] = '\0';
		stamp_time = now;
	}
	return stamp;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char		 line[2048];
	va_list		 ap;
	size_t		 len;
	int		 n;

	if (level > log_level)
		return;
	len = snprintf(line, sizeof(line), "%s [%d] %s: ", log_stamp(),
	    (int)log_pid(), level_names[level]);
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	len = (n < 0 || (size_t)n >= sizeof(line) - len - 1) ?
	    sizeof(line) - 2 : len + n;
	line[len++] = '\n';
	(void)!write(STDERR_FILENO, line, len);
}
