/*
 * pesaswap-admin: migrations, accounts and keys, from the command line.
 *
 *   migrate [--dir DIR]
 *   account create --name NAME
 *   key create --account acct_… --mode test|live [--permissions a,b]
 *   key revoke --key KEY|key_…
 *   user create --account acct_… --email EMAIL [--update-password]
 *
 * It uses the same PESASWAP_DB_* settings and db.c as the workers; keys
 * are printed once and stored only as SHA-256. A dashboard user's
 * password is read from standard input (its first line) and stored only
 * as an Argon2id hash.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "ids.h"
#include "log.h"
#include "password.h"
#include "valid.h"

/* Options after the command words: --name value pairs. */
struct opts {
	const char	*name;
	const char	*dir;
	const char	*account;
	const char	*mode;
	const char	*permissions;
	const char	*key;
	const char	*email;
	int		 update_password;
};

static const struct sql SQL_MIGRATIONS_TABLE = {
	"CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(255)"
	" NOT NULL PRIMARY KEY, applied BIGINT NOT NULL) ENGINE=InnoDB", "", 0 };
static const struct sql SQL_MIGRATION_DONE = {
	"SELECT 1 FROM schema_migrations WHERE version = ?", "s", 0 };
static const struct sql SQL_MIGRATION_RECORD = {
	"INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", "si", 0 };
static const struct sql SQL_ACCOUNT_INSERT = {
	"INSERT INTO accounts (id, name, created) VALUES (?, ?, ?)", "ssi", 0 };
static const struct sql SQL_ACCOUNT_EXISTS = {
	"SELECT 1 FROM accounts WHERE id = ?", "s", 0 };
static const struct sql SQL_USER_INSERT = {
	"INSERT INTO dashboard_users (id, account_id, email, password_hash,"
	" created, updated) VALUES (?, ?, ?, ?, ?, ?)", "ssssii", 0 };
static const struct sql SQL_USER_GET = {
	"SELECT id, account_id, pk FROM dashboard_users WHERE email = ?",
	"s", 0 };
static const struct sql SQL_USER_PASSWORD = {
	"UPDATE dashboard_users SET password_hash = ?, updated = ?"
	" WHERE pk = ?", "sii", 0 };
static const struct sql SQL_USER_SESSIONS_END = {
	"DELETE FROM dashboard_sessions WHERE user_pk = ?", "i", 0 };
static const struct sql SQL_KEY_REVOKE = {
	"UPDATE api_keys SET revoked = ? WHERE (hash = ? OR id = ?)"
	" AND revoked IS NULL", "ibs", 0 };

static int
usage(void)
{
	fprintf(stderr, "usage: pesaswap-admin migrate [--dir DIR]\n"
	    "       pesaswap-admin account create --name NAME\n"
	    "       pesaswap-admin key create --account acct_… --mode test|live"
	    " [--permissions customers:read,…]\n"
	    "       pesaswap-admin key revoke --key KEY|key_…\n"
	    "       pesaswap-admin user create --account acct_… --email EMAIL"
	    " [--update-password]   (password: first line of stdin)\n"
	    "database settings (flags or variables):\n");
	config_usage();
	return 2;
}

/* The error the db layer set on "r", for a person. */
static int
failed(struct req *r, const char *what)
{
	fprintf(stderr, "pesaswap-admin: %s failed (%d): %s\n", what,
	    r->status, http_body_text(r));
	return 1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
read_file(const char *path)
{
	FILE	*f;
	char	*text = NULL;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)len + 1)) != NULL) {
		if (fread(text, 1, (size_t)len, f) != (size_t)len) {
			free(text);
			text = NULL;
		} else
			text[len] = '\0';
	}
	fclose(f);
	return text;
}

/* Applies one migration file unless schema_migrations has it. */
static int
migrate_one(struct req *r, const char *dir, const char *file)
{
	struct db_res	 res;
	char		 path[4096], *text;
	int		 rc;

	if ((rc = db_one(r, &SQL_MIGRATION_DONE, (struct db_val[]){
	    DB_S(file), DB_E }, &res)) == 1)
		db_res_free(&res);
	if (rc != 0)
		return rc == 1 ? 0 : failed(r, file);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((text = read_file(path)) == NULL) {
		fprintf(stderr, "pesaswap-admin: cannot read %s\n", path);
		return 1;
	}
	rc = db_run_script(r->db, text);
	free(text);
	if (rc == -1 || db_exec(r, &SQL_MIGRATION_RECORD, (struct db_val[]){
	    DB_S(file), DB_I(time(NULL)), DB_E }, NULL) != 0)
		return failed(r, file);
	printf("applied %s\n", file);
	return 0;
}

/* migrate: sql/NNN_*.sql in name order, each once. */
static int
cmd_migrate(struct req *r, const struct opts *o)
{
	struct dirent	*de;
	DIR		*d;
	char		*names[1000];
	size_t		 n = 0, i;
	int		 rc = 0;

	if ((d = opendir(o->dir)) == NULL) {
		fprintf(stderr, "pesaswap-admin: cannot open %s\n", o->dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL && n < 1000) {
		size_t len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0 &&
		    de->d_name[0] >= '0' && de->d_name[0] <= '9')
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	if (db_exec(r, &SQL_MIGRATIONS_TABLE, (struct db_val[]){ DB_E },
	    NULL) != 0)
		rc = failed(r, "migrate");
	for (i = 0; i < n; i++) {
		if (rc == 0 && names[i] != NULL)
			rc = migrate_one(r, o->dir, names[i]);
		free(names[i]);
	}
	return rc;
}

/* Makes a key, stores its hash, and prints it once. */
static int
make_key(struct req *r, const char *account, int live, const char *perms,
    const char *var)
{
	struct auth_new_key	 k;

	if (auth_key_create(r, account, live, perms, &k) != 0)
		return failed(r, "key create");
	printf("%s=%s\n", var, k.key);
	if (strcmp(var, "PESASWAP_KEY") == 0)
		printf("PESASWAP_KEY_ID=%s\n", k.id);
	return 0;
}

static int
cmd_account_create(struct req *r, const struct opts *o)
{
	char	 id[IDS_MAX];

	if (o->name == NULL || valid_text(o->name, VALID_NAME_MAX) == -1) {
		fprintf(stderr, "pesaswap-admin: --name (1 to 256 characters)"
		    " is required\n");
		return 2;
	}
	if (ids_new("acct_", id, sizeof(id)) == -1)
		return 1;
	if (db_exec(r, &SQL_ACCOUNT_INSERT, (struct db_val[]){ DB_S(id),
	    DB_S(o->name), DB_I(time(NULL)), DB_E }, NULL) != 0)
		return failed(r, "account create");
	printf("PESASWAP_ACCOUNT_ID=%s\n", id);
	if (make_key(r, id, 0, NULL, "PESASWAP_TEST_KEY") != 0 ||
	    make_key(r, id, 1, NULL, "PESASWAP_LIVE_KEY") != 0)
		return 1;
	return 0;
}

/* 0 if "account" exists; else 1 after saying why. */
static int
account_exists(struct req *r, const char *account, const char *what)
{
	struct db_res	 res;
	int		 rc;

	if ((rc = db_one(r, &SQL_ACCOUNT_EXISTS, (struct db_val[]){
	    DB_S(account), DB_E }, &res)) == 1)
		db_res_free(&res);
	if (rc == 0) {
		fprintf(stderr, "pesaswap-admin: no account %s\n", account);
		return 1;
	}
	return rc == 1 ? 0 : failed(r, what);
}

static int
cmd_key_create(struct req *r, const struct opts *o)
{
	int		 rc;

	if (o->account == NULL || o->mode == NULL ||
	    (strcmp(o->mode, "test") != 0 && strcmp(o->mode, "live") != 0))
		return usage();
	if (o->permissions != NULL &&
	    auth_permissions_valid(o->permissions) == -1) {
		fprintf(stderr, "pesaswap-admin: unknown permission in %s\n",
		    o->permissions);
		return 2;
	}
	if ((rc = account_exists(r, o->account, "key create")) != 0)
		return rc;
	return make_key(r, o->account, strcmp(o->mode, "live") == 0,
	    o->permissions, "PESASWAP_KEY");
}

static int
cmd_key_revoke(struct req *r, const struct opts *o, int cache_ms)
{
	unsigned char	 hash[AUTH_HASH_LEN];
	uint64_t	 n = 0;

	if (o->key == NULL)
		return usage();
	auth_hash(o->key, hash);
	if (db_exec(r, &SQL_KEY_REVOKE, (struct db_val[]){ DB_I(time(NULL)),
	    DB_B(hash, sizeof(hash)), DB_S(o->key), DB_E }, &n) != 0)
		return failed(r, "key revoke");
	if (n == 0) {
		fprintf(stderr, "pesaswap-admin: no such active key\n");
		return 1;
	}
	auth_wait_out_cache(cache_ms);
	printf("revoked\n");
	return 0;
}

/*
 * The password: the first line of standard input without its newline,
 * hashed into "encoded". The clear text is wiped before returning.
 */
static int
read_password(char *encoded, size_t encsz)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 rc = 1;

	if ((n = getline(&line, &cap, stdin)) > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n < 0 || password_acceptable(line, (size_t)n) == -1)
		fprintf(stderr, "pesaswap-admin: the password (first line of"
		    " standard input) must be %d to %d bytes\n", PASSWORD_MIN,
		    PASSWORD_MAX);
	else if (password_hash(line, (size_t)n, encoded, encsz) == -1)
		fprintf(stderr, "pesaswap-admin: hashing the password failed\n");
	else
		rc = 0;
	if (line != NULL)
		OPENSSL_cleanse(line, cap);
	free(line);
	return rc;
}

/* --update-password for an existing user of "account": a new hash, and
 * every session of theirs ends. */
static int
update_password(struct req *r, const struct opts *o, const char *encoded)
{
	struct db_res	 res;
	char		 id[IDS_MAX];
	int64_t		 pk;
	int		 rc, same;

	if ((rc = db_one(r, &SQL_USER_GET, (struct db_val[]){
	    DB_S(o->email), DB_E }, &res)) != 1)
		return rc == 0 ? 1 : failed(r, "user create");
	snprintf(id, sizeof(id), "%s", res.val[0]);
	same = strcmp(res.val[1], o->account) == 0;
	pk = db_i64(&res, 2);
	db_res_free(&res);
	if (!same) {
		fprintf(stderr, "pesaswap-admin: %s is a user of another"
		    " account\n", o->email);
		return 1;
	}
	if (db_exec(r, &SQL_USER_PASSWORD, (struct db_val[]){ DB_S(encoded),
	    DB_I(time(NULL)), DB_I(pk), DB_E }, NULL) != 0 ||
	    db_exec(r, &SQL_USER_SESSIONS_END, (struct db_val[]){ DB_I(pk),
	    DB_E }, NULL) != 0)
		return failed(r, "user create");
	printf("PESASWAP_DASHBOARD_EMAIL=%s\nPESASWAP_DASHBOARD_USER_ID=%s\n",
	    o->email, id);
	return 0;
}

/* user create: a dashboard user of an account; emails are unique over
 * all accounts, case-insensitively (the column's collation). */
static int
cmd_user_create(struct req *r, const struct opts *o)
{
	char	 encoded[PASSWORD_ENCODED_MAX], id[IDS_MAX];
	int64_t	 now = time(NULL);
	int	 rc;

	if (o->account == NULL || o->email == NULL)
		return usage();
	if (valid_email(o->email) == -1) {
		fprintf(stderr, "pesaswap-admin: invalid email %s\n", o->email);
		return 2;
	}
	if ((rc = account_exists(r, o->account, "user create")) != 0 ||
	    (rc = read_password(encoded, sizeof(encoded))) != 0)
		return rc;
	if (ids_new("usr_", id, sizeof(id)) == -1)
		return 1;
	rc = db_exec(r, &SQL_USER_INSERT, (struct db_val[]){ DB_S(id),
	    DB_S(o->account), DB_S(o->email), DB_S(encoded), DB_I(now),
	    DB_I(now), DB_E }, NULL);
	if (rc == DB_DUP && o->update_password)
		return update_password(r, o, encoded);
	if (rc == DB_DUP) {
		fprintf(stderr, "pesaswap-admin: a dashboard user with email %s"
		    " exists (--update-password sets a new password)\n",
		    o->email);
		return 1;
	}
	if (rc != 0)
		return failed(r, "user create");
	printf("PESASWAP_DASHBOARD_EMAIL=%s\nPESASWAP_DASHBOARD_USER_ID=%s\n",
	    o->email, id);
	return 0;
}

static int
parse_opts(int argc, char *argv[], int first, struct config *cfg,
    struct opts *o)
{
	int	 i, rc;

	memset(o, 0, sizeof(*o));
	o->dir = cfg->sql_dir;
	for (i = first; i < argc; i += 2) {
		if (strcmp(argv[i], "--update-password") == 0) {
			o->update_password = 1;
			i--;		/* a flag without a value */
		} else if (i + 1 == argc)
			return -1;
		else if (strcmp(argv[i], "--name") == 0)
			o->name = argv[i + 1];
		else if (strcmp(argv[i], "--dir") == 0)
			o->dir = argv[i + 1];
		else if (strcmp(argv[i], "--account") == 0)
			o->account = argv[i + 1];
		else if (strcmp(argv[i], "--mode") == 0)
			o->mode = argv[i + 1];
		else if (strcmp(argv[i], "--permissions") == 0)
			o->permissions = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0)
			o->key = argv[i + 1];
		else if (strcmp(argv[i], "--email") == 0)
			o->email = argv[i + 1];
		else if (strncmp(argv[i], "--", 2) != 0 ||
		    (rc = config_set(cfg, argv[i] + 2, argv[i + 1])) != 1)
			return -1;
	}
	return i == argc ? 0 : -1;
}

static int
run(struct req *r, int argc, char *argv[], struct config *cfg)
{
	struct opts	 o;

	if (argc >= 2 && strcmp(argv[1], "migrate") == 0 &&
	    parse_opts(argc, argv, 2, cfg, &o) == 0)
		return cmd_migrate(r, &o);
	if (argc < 3 || parse_opts(argc, argv, 3, cfg, &o) == -1)
		return usage();
	if (strcmp(argv[1], "account") == 0 && strcmp(argv[2], "create") == 0)
		return cmd_account_create(r, &o);
	if (strcmp(argv[1], "key") == 0 && strcmp(argv[2], "create") == 0)
		return cmd_key_create(r, &o);
	if (strcmp(argv[1], "key") == 0 && strcmp(argv[2], "revoke") == 0)
		return cmd_key_revoke(r, &o, cfg->key_cache_ms);
	if (strcmp(argv[1], "user") == 0 && strcmp(argv[2], "create") == 0)
		return cmd_user_create(r, &o);
	return usage();
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct req	 r;
	int		 rc;

	if (config_from_env(&cfg) == -1)
		return 2;
	log_set_level(LOG_WARN);
	mysql_library_init(0, NULL, NULL);
	/* db.c reports through a request; this one only carries errors. */
	memset(&r, 0, sizeof(r));
	snprintf(r.request_id, sizeof(r.request_id), "admin");
	r.method = strdup("ADMIN");
	r.path = strdup(argc > 1 ? argv[1] : "-");
	if ((r.db = db_new(&cfg)) == NULL)
		return 1;
	rc = run(&r, argc, argv, &cfg);
	db_free(r.db);
	req_free(&r);
	config_free(&cfg);
	mysql_library_end();
	return rc;
}
