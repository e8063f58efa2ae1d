/*
 * One table of settings: each has a flag, an environment variable, a
 * default and a type, so flags, variables and --help never disagree.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

enum setting_type {
	SET_STR,
	SET_INT,	/* stored as int, 0..INT_MAX */
	SET_UINT,	/* unsigned int */
	SET_SIZE,	/* size_t */
	SET_LEVEL,	/* log level name */
	SET_NODES,	/* host:port,...: kept as text, checked */
	SET__MAX
};

struct setting {
	const char		*flag;
	const char		*env;
	enum setting_type	 type;
	size_t			 offset;
	const char		*def;
	const char		*help;
};

#define AT(f)	offsetof(struct config, f)

static const struct setting settings[] = {
	{ "listen", "PESASWAP_LISTEN", SET_STR, AT(listen),
	    "unix:/tmp/pesaswap-fcgi.sock", "FastCGI socket: unix:/path or host:port" },
	{ "workers", "PESASWAP_WORKERS", SET_INT, AT(workers),
	    "0", "worker processes (0: 4 per core)" },
	{ "pid-file", "PESASWAP_PID_FILE", SET_STR, AT(pid_file),
	    NULL, "file the master writes its pid to" },
	{ "db-host", "PESASWAP_DB_HOST", SET_STR, AT(db_host),
	    "127.0.0.1", "MariaDB host" },
	{ "db-port", "PESASWAP_DB_PORT", SET_UINT, AT(db_port),
	    "3306", "MariaDB TCP port" },
	{ "db-socket", "PESASWAP_DB_SOCKET", SET_STR, AT(db_socket),
	    NULL, "MariaDB unix socket (used instead of host and port)" },
	{ "db-user", "PESASWAP_DB_USER", SET_STR, AT(db_user),
	    "pesaswap", "MariaDB user" },
	{ "db-password", "PESASWAP_DB_PASSWORD", SET_STR, AT(db_password),
	    "", "MariaDB password (prefer the variable: flags show in ps)" },
	{ "db-name", "PESASWAP_DB_NAME", SET_STR, AT(db_name),
	    "pesaswap", "MariaDB database" },
	{ "db-hosts", "PESASWAP_DB_HOSTS", SET_NODES, AT(db_hosts),
	    NULL, "Galera nodes host:port,...: own node first, the others "
	    "on failure (wins over db-host, db-port, db-socket)" },
	{ "db-sync-wait", "PESASWAP_DB_SYNC_WAIT", SET_INT, AT(db_sync_wait),
	    "1", "wsrep_sync_wait with db-hosts: 1 reads see every write "
	    "committed before them on any node, 0 off" },
	{ "body-limit", "PESASWAP_BODY_LIMIT", SET_SIZE, AT(body_limit),
	    "65536", "largest request body in bytes (larger: 413)" },
	{ "import-limit", "PESASWAP_IMPORT_LIMIT", SET_SIZE, AT(import_limit),
	    "10485760", "largest CSV file POST /v1/customers/import takes, in "
	    "bytes (larger: 413)" },
	{ "log-level", "PESASWAP_LOG_LEVEL", SET_LEVEL, AT(log_level),
	    "info", "error, warn, info or debug" },
	{ "key-cache-ms", "PESASWAP_KEY_CACHE_MS", SET_INT, AT(key_cache_ms),
	    "1000", "how long a worker reuses a key lookup (0: never)" },
	{ "sql-dir", "PESASWAP_SQL_DIR", SET_STR, AT(sql_dir),
	    PESASWAP_DATADIR "/sql", "migrations directory (pesaswap-admin)" },
	{ "secrets-key", "PESASWAP_SECRETS_KEY", SET_STR, AT(secrets_key),
	    NULL, "64 hex characters sealing webhook secrets (all processes)" },
	{ "jobs-concurrency", "PESASWAP_JOBS_CONCURRENCY", SET_INT,
	    AT(jobs_concurrency), "64", "webhook deliveries in flight "
	    "(pesaswap-jobs)" },
	{ "jobs-poll-ms", "PESASWAP_JOBS_POLL_MS", SET_INT, AT(jobs_poll_ms),
	    "200", "how often pesaswap-jobs looks for due work" },
	{ "webhook-retry-ms", "PESASWAP_WEBHOOK_RETRY_MS", SET_INT,
	    AT(webhook_retry_ms), "10000", "first webhook retry delay; each "
	    "next one doubles, up to 12 h, for 3 days" },
};

#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

static int
parse_number(const char *value, unsigned long long max,
    unsigned long long *out)
{
	char			*end;
	unsigned long long	 n;

	if (*value < '0' || *value > '9')
		return -1;
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
apply(struct config *c, const struct setting *s, const char *value)
{
	char			*field = (char *)c + s->offset;
	unsigned long long	 n;
	int			 level;

	switch (s->type) {
	case SET_STR:
		free(*(char **)field);
		if ((*(char **)field = strdup(value)) == NULL)
			return -1;
		return 0;
	case SET_INT:
		if (parse_number(value, INT_MAX, &n) == -1)
			return -1;
		*(int *)field = (int)n;
		return 0;
	case SET_UINT:
		if (parse_number(value, UINT_MAX, &n) == -1)
			return -1;
		*(unsigned int *)field = (unsigned int)n;
		return 0;
	case SET_SIZE:
		if (parse_number(value, SIZE_MAX, &n) == -1 || n == 0)
			return -1;
		*(size_t *)field = (size_t)n;
		return 0;
	case SET_LEVEL:
		if ((level = log_level_parse(value)) == -1)
			return -1;
		*(int *)field = level;
		return 0;
	case SET_NODES:
		if (config_nodes(value, NULL, CONFIG_MAX_NODES) == -1)
			return -1;
		free(*(char **)field);
		if ((*(char **)field = strdup(value)) == NULL)
			return -1;
		return 0;
	default:
		return -1;
	}
}

/* One "host[:port]" of "len" bytes at "s" into "n" (may be NULL). */
static int
parse_node(const char *s, size_t len, struct db_node *n)
{
	const char		*colon;
	char			 port[8];
	size_t			 hlen;
	unsigned long long	 p = 3306;

	colon = memchr(s, ':', len);
	hlen = colon != NULL ? (size_t)(colon - s) : len;
	if (hlen == 0 || hlen >= CONFIG_HOST_MAX ||
	    strcspn(s, " \t") < hlen)
		return -1;
	if (colon != NULL) {
		if (len - hlen - 1 == 0 || len - hlen - 1 >= sizeof(port))
			return -1;
		memcpy(port, colon + 1, len - hlen - 1);
		port[len - hlen - 1] = '\0';
		if (parse_number(port, 65535, &p) == -1 || p == 0)
			return -1;
	}
	if (n != NULL) {
		memcpy(n->host, s, hlen);
		n->host[hlen] = '\0';
		n->port = (unsigned int)p;
	}
	return 0;
}

int
config_nodes(const char *list, struct db_node *nodes, size_t max)
{
	const char	*s = list, *end;
	size_t		 n = 0;

	for (;;) {
		end = s + strcspn(s, ",");
		if (n == max || parse_node(s, (size_t)(end - s),
		    nodes != NULL ? &nodes[n] : NULL) == -1)
			return -1;
		n++;
		if (*end == '\0')
			return (int)n;
		s = end + 1;
	}
}

int
config_from_env(struct config *c)
{
	const char	*value;
	size_t		 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NSETTINGS; i++) {
		value = getenv(settings[i].env);
		if (value == NULL)
			value = settings[i].def;
		if (value == NULL)
			continue;
		if (apply(c, &settings[i], value) == -1) {
			fprintf(stderr, "invalid %s: %s\n", settings[i].env,
			    settings[i].type == SET_STR ? "out of memory" :
			    "not a valid value");
			return -1;
		}
	}
	/* 4 per core: a worker waits on MariaDB for most of a write (the
	 * commit), so more of them in flight share each redo log flush
	 * (tests/bench/README.md: 8 workers on 2 cores, 1.6x the creates
	 * of 4, reads unchanged). */
	if (c->workers == 0)
		c->workers = 4 * (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (c->workers < 1)
		c->workers = 2;
	log_set_level(c->log_level);
	return 0;
}

int
config_set(struct config *c, const char *name, const char *value)
{
	size_t	 i;

	for (i = 0; i < NSETTINGS; i++) {
		if (strcmp(settings[i].flag, name) != 0)
			continue;
		if (apply(c, &settings[i], value) == -1) {
			fprintf(stderr, "invalid --%s\n", name);
			return -1;
		}
		log_set_level(c->log_level);
		return 1;
	}
	return 0;
}

void
config_usage(void)
{
	size_t	 i;

	for (i = 0; i < NSETTINGS; i++)
		fprintf(stderr, "  --%-14s %-22s %s%s%s\n", settings[i].flag,
		    settings[i].env, settings[i].help,
		    settings[i].def ? "; default " : "",
		    settings[i].def ? settings[i].def : "");
}

void
config_free(struct config *c)
{
	size_t	 i;

	for (i = 0; i < NSETTINGS; i++)
		if (settings[i].type == SET_STR ||
		    settings[i].type == SET_NODES)
			free(*(char **)((char *)c + settings[i].offset));
}
