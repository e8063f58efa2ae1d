/*
 * Settings shared by the programs: from PESASWAP_* environment variables
 * first, then command-line flags, which win. README "Configuration"
 * lists each one.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_NODES	8	/* --db-hosts entries */
#define CONFIG_HOST_MAX		256

/* One MariaDB server of a cluster (--db-hosts). */
struct db_node {
	char		 host[CONFIG_HOST_MAX];
	unsigned int	 port;
};

struct config {
	char		*listen;	/* unix:/path or host:port */
	int		 workers;
	char		*pid_file;
	char		*db_host;
	unsigned int	 db_port;
	char		*db_socket;	/* wins over host and port */
	char		*db_user;
	char		*db_password;
	char		*db_name;
	char		*db_hosts;	/* host:port,...: a cluster, own first */
	int		 db_sync_wait;	/* wsrep_sync_wait with db_hosts */
	size_t		 body_limit;	/* bytes */
	size_t		 import_limit;	/* bytes, a CSV import's body */
	int		 log_level;	/* enum log_level */
	int		 key_cache_ms;	/* how long a worker trusts a key */
	char		*sql_dir;	/* migrations, for pesaswap-admin */
	char		*secrets_key;	/* 64 hex: seals webhook secrets */
	int		 jobs_concurrency;	/* deliveries in flight */
	int		 jobs_poll_ms;	/* how often jobs look for work */
	int		 webhook_retry_ms;	/* first retry delay */
};

/* Fills "c" with defaults overridden by the environment. Returns 0, or
 * -1 after printing what is wrong to stderr. */
int	config_from_env(struct config *c);

/*
 * Applies the flag "name" (without the leading "--", e.g. "db-host") with
 * "value". Returns 1 if the flag is a setting, 0 if it is not one of
 * ours, -1 after printing to stderr if the value is invalid.
 */
int	config_set(struct config *c, const char *name, const char *value);

/* Prints the settings' flags and variables, for --help. */
void	config_usage(void);

/*
 * Parses "list" ("host:port,host:port", the port optional: 3306) into at
 * most "max" nodes. Returns how many, or -1 if it is empty, too long or
 * malformed.
 */
int	config_nodes(const char *list, struct db_node *nodes, size_t max);

void	config_free(struct config *c);

#endif
