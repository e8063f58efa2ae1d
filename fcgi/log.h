/*
 * Logging to standard error, one line per message, with time, pid and
 * level. Never pass a key, password or card number to these.
 */
#ifndef LOG_H
#define LOG_H

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG__MAX
};

/* Sets the most verbose level printed. */
void	log_set_level(enum log_level level);

/* Parses "error", "warn", "info" or "debug"; -1 if none of these. */
int	log_level_parse(const char *name);

void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
