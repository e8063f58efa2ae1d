#!/usr/bin/env bash
# The running stack in one place: MariaDB, pesaswap-fcgi and nginx on
# 127.0.0.1, all state under one directory VAR (DESIGN.md "The two
# commands"; layout in README):
#
#   VAR/mysql/           MariaDB data            VAR/log/*.log
#   VAR/run/*.sock *.pid sockets and pid files   VAR/tls/{cert,key}.pem
#   VAR/nginx.conf       filled template         VAR/nginx/  nginx temp dirs
#   VAR/demo.env         what a client needs     VAR/stack.env  ports, dirs
#   VAR/db.password      the `pesaswap` DB user's password
#
# Sourced by run.sh and test.sh for its functions (it sets no shell
# options; every function returns non-zero on failure), or run directly.
# The servers it starts get neither fd 8 nor 9: on_exit keeps the
# script's own stdout and stderr there, for messages from a trap that
# may fire inside a redirected function. Direct use:
#
#   PESASWAP_VAR=DIR bash scripts/stack.sh COMMAND
#
#   db-stop | db-start     stop or start MariaDB (outage tests)
#   db-kill                SIGKILL MariaDB, no clean shutdown (crash tests)
#   db-pause | db-resume   SIGSTOP or SIGCONT MariaDB: unreachable, not down
#   fcgi-pid               print the pesaswap-fcgi master's pid
#   fcgi-stop | fcgi-start stop or start pesaswap-fcgi
#   fcgi-workers           print the pids of the master's live workers
#   jobs-pid | jobs-stop | jobs-start   the same for pesaswap-jobs
#   nginx-reload           reload nginx's configuration
#   stop-all               stop everything this VAR runs
#   status                 one line per component
#
# Ports and directories of a VAR are kept in VAR/stack.env by stack_up,
# so the commands above need nothing but PESASWAP_VAR.

# Debian packages the project needs; install_deps adds the missing ones.
PS_DEBS=(build-essential autoconf automake libtool pkg-config
	libfcgi-dev libjson-c-dev libmariadb-dev libpcre2-dev libssl-dev
	libcmocka-dev libcurl4-openssl-dev libargon2-dev
	mariadb-server mariadb-client openssl curl valgrind clang)

PS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PS_BODY_LIMIT=${PESASWAP_BODY_LIMIT:-65536}	# nginx and workers agree
PS_IMPORT_LIMIT=${PESASWAP_IMPORT_LIMIT:-10485760}	# a CSV import, likewise

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
err() { printf 'error: %s\n' "$*" >&2; }

# on_exit FUNCTION: FUNCTION runs once when the sourcing script ends,
# normally, on an error or on SIGINT / SIGTERM (exit 130 / 143), with
# the exit status as its argument and the script's own stdout and stderr
# back, even when the trap fired inside a function whose output was
# redirected (they wait on fds 8 and 9). If FUNCTION does not exit, the
# script exits with that status.
on_exit() {
	PS_ON_EXIT=$1
	exec 8>&1 9>&2
	trap ps_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

ps_exit() {
	local rc=$?
	trap - EXIT INT TERM
	if (: >&8 && : >&9) 2>/dev/null; then
		exec 1>&8 2>&9
	fi
	"$PS_ON_EXIT" "$rc"
}

# stack_config VAR [BUILD]: sets the PS_* paths for a stack living in VAR,
# taking ports and the build dir from VAR/stack.env when it exists.
stack_config() {
	PS_VAR=$1
	PS_BUILD=${2:-}
	PS_HTTP_PORT=${PS_HTTP_PORT:-}
	PS_HTTPS_PORT=${PS_HTTPS_PORT:-}
	PS_DB_PORT=${PS_DB_PORT:-}
	if [ -f "$PS_VAR/stack.env" ]; then
		local k v
		while IFS='=' read -r k v; do
			case $k in
			PS_HTTP_PORT|PS_HTTPS_PORT|PS_DB_PORT)
				[ -n "${!k}" ] || printf -v "$k" '%s' "$v" ;;
			PS_BUILD)
				[ -n "$PS_BUILD" ] || PS_BUILD=$v ;;
			esac
		done < "$PS_VAR/stack.env"
	fi
	PS_BUILD=${PS_BUILD:-$PS_SRC/build}
	PS_DB_SOCKET=$PS_VAR/run/mysqld.sock
	PS_FCGI_SOCKET=$PS_VAR/run/fcgi.sock
	PS_DB_ADMIN=$(id -un)	# unix_socket auth: the OS user is the DB user
	# A unix socket path holds at most 107 bytes.
	if [ "${#PS_FCGI_SOCKET}" -gt 100 ] || [ "${#PS_DB_SOCKET}" -gt 100 ]; then
		err "$PS_VAR is too deep for unix sockets; set PESASWAP_VAR to a shorter path"
		return 1
	fi
}

# Remembers ports and the build dir for the stack.sh commands.
stack_save() {
	mkdir -p "$PS_VAR" || return 1
	printf 'PS_HTTP_PORT=%s\nPS_HTTPS_PORT=%s\nPS_DB_PORT=%s\nPS_BUILD=%s\n' \
	    "$PS_HTTP_PORT" "$PS_HTTPS_PORT" "$PS_DB_PORT" "$PS_BUILD" \
	    > "$PS_VAR/stack.env"
}

# ---------------------------------------------------------------- packages

deb_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# install_deps [PACKAGE...]: installs the missing Debian packages of
# PS_DEBS and the arguments (apt-get update once, only if one is
# missing). Services that packages would start are held back by a
# temporary policy-rc.d: our servers are private processes, not services.
install_deps() {
	local missing=() p sudo=() added_policy=0 rc=0
	if ! command -v dpkg-query >/dev/null; then
		warn "not a Debian system: install the packages of README by hand"
		return 0
	fi
	for p in "${PS_DEBS[@]}" "$@"; do
		deb_installed "$p" || missing+=("$p")
	done
	# Debian 12's nginx-light only adds modules to nginx: nginx suffices.
	command -v nginx >/dev/null || deb_installed nginx || missing+=(nginx)
	command -v node >/dev/null || missing+=(nodejs npm)
	[ "${#missing[@]}" -eq 0 ] && return 0
	say "installing Debian packages: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null; then
			err "run as root, or install: apt-get install ${missing[*]}"
			return 1
		fi
		sudo=(sudo)
	fi
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null &&
		    "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d && added_policy=1
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || rc=1
	if [ "$rc" -eq 0 ]; then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install \
		    -y -q --no-install-recommends "${missing[@]}" || rc=1
	fi
	[ "$added_policy" -eq 1 ] && "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
	[ "$rc" -eq 0 ] || err "apt-get failed for: ${missing[*]}"
	return "$rc"
}

# Node test dependencies: tests/package.json, and clients/js's own (the
# tests link @pesaswap/node from there, and Node resolves its `stripe`
# from clients/js/node_modules). Each reinstalled only when its lock file
# changed.
install_node_deps() {
	local dir
	for dir in "$PS_SRC/clients/js" "$PS_SRC/tests"; do
		npm_deps "$dir" || return 1
	done
}

# npm_deps DIR: npm ci in DIR unless DIR/node_modules matches its lock.
npm_deps() {
	local dir=$1 stamp sum
	[ -f "$dir/package.json" ] || return 0
	stamp=$dir/node_modules/.pesaswap-lock.sha256
	if [ -f "$dir/package-lock.json" ]; then
		sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
		[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
		say "npm ci in ${dir#"$PS_SRC"/}/"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || return 1
		printf '%s\n' "$sum" > "$stamp"
	else
		[ -d "$dir/node_modules" ] && return 0
		say "npm install in ${dir#"$PS_SRC"/}/ (no package-lock.json)"
		(cd "$dir" && npm install --no-audit --no-fund --no-save \
		    --package-lock=false --loglevel=error) || return 1
	fi
}

# ------------------------------------------------------------------- build

# build DIR [CONFIGURE-ARGS...]: out-of-tree build in DIR (autogen first if
# there is no configure, or configure.ac or Makefile.am is newer: a new
# auxiliary file such as tap-driver.sh needs autoreconf --install;
# configure again when the arguments change).
build() {
	local dir=$1 args
	shift
	args="$*"
	if [ -f "$PS_SRC/config.status" ]; then
		err "the source tree is configured in place; run 'make distclean' in $PS_SRC"
		return 1
	fi
	if [ ! -x "$PS_SRC/configure" ] ||
	    [ "$PS_SRC/configure.ac" -nt "$PS_SRC/configure" ] ||
	    [ "$PS_SRC/Makefile.am" -nt "$PS_SRC/configure" ]; then
		say "autogen.sh"
		(cd "$PS_SRC" && ./autogen.sh) || return 1
	fi
	mkdir -p "$dir" || return 1
	if [ ! -f "$dir/Makefile" ] ||
	    [ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$args" ]; then
		say "configure $args (in $dir)"
		(cd "$dir" && "$PS_SRC/configure" "$@") || return 1
		printf '%s' "$args" > "$dir/.configure-args"
	fi
	say "make -j2 (in $dir)"
	make -C "$dir" -j2 || return 1
}

# ------------------------------------------------------------- processes

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port [TAKEN...]: a port nothing listens on, below the ephemeral range.
free_port() {
	local p i
	for i in $(seq 1 500); do
		p=$((20000 + (RANDOM * 32768 + RANDOM + i) % 12000))
		case " $* " in *" $p "*) continue ;; esac
		port_in_use "$p" || { echo "$p"; return 0; }
	done
	err "no free port found"
	return 1
}

# alive PID [COMM]: the process exists, is no zombie, and (if given) is
# named COMM, so a stale pid file never makes us signal a stranger.
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ] || return 1
	[ -z "${2:-}" ] || [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# read_pid FILE COMM: prints the pid in FILE if that process is alive.
read_pid() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	pid=${pid//[!0-9]/}
	[ -n "$pid" ] && alive "$pid" "$2" && echo "$pid"
}

# wait_gone PID SECONDS
wait_gone() {
	local n=$(($2 * 10))
	while alive "$1" && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	! alive "$1"
}

# var_pids COMM ARG: pids of the processes named COMM that have ARG as
# one of their arguments (a path inside VAR): ours, even when a start was
# interrupted before the pid file was written, or the file was lost.
var_pids() {
	local d
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] || continue
		tr '\0' '\n' < "$d/cmdline" 2>/dev/null | grep -Fxq -- "$2" &&
		    alive "${d#/proc/}" && echo "${d#/proc/}"
	done
}

# stop_pidfile NAME FILE COMM ARG SIGNAL SECONDS: signals the process of
# FILE (or found by var_pids COMM ARG), waits, then SIGKILLs its process
# group (each server is started as its own group leader).
stop_pidfile() {
	local name=$1 file=$2 comm=$3 arg=$4 sig=$5 secs=$6 pids pid rc=0
	pids=$(read_pid "$file" "$comm") || pids=$(var_pids "$comm" "$arg")
	for pid in $pids; do
		say "stopping $name (pid $pid)"
		kill -"$sig" "$pid" 2>/dev/null
	done
	for pid in $pids; do
		wait_gone "$pid" "$secs" && continue
		warn "$name did not stop in ${secs}s: SIGKILL"
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
		wait_gone "$pid" 10 || { err "$name (pid $pid) survives SIGKILL"; rc=1; }
	done
	rm -f "$file"
	return "$rc"
}

# wait_for SECONDS PID DESCRIPTION COMMAND...: polls COMMAND until it
# succeeds; fails early if PID dies.
wait_for() {
	local secs=$1 pid=$2 what=$3 n
	shift 3
	n=$((secs * 10))
	until "$@" >/dev/null 2>&1; do
		if ! alive "$pid"; then
			err "$what exited during start-up"
			return 1
		fi
		n=$((n - 1))
		if [ "$n" -le 0 ]; then
			err "$what not ready after ${secs}s"
			return 1
		fi
		sleep 0.1
	done
}

show_log() {
	[ -f "$1" ] || return 0
	printf -- '--- last lines of %s\n' "$1" >&2
	tail -n "${2:-20}" "$1" >&2
}

# ----------------------------------------------------------------- MariaDB

# A fresh data directory, made aside and renamed, so an interrupted
# initialisation never leaves a half-made VAR/mysql behind.
db_init() {
	local tmp=$PS_VAR/mysql.init
	mkdir -p "$PS_VAR/run" "$PS_VAR/log" || return 1
	[ -d "$PS_VAR/mysql/mysql" ] && return 0
	if [ -e "$PS_VAR/mysql" ]; then
		err "$PS_VAR/mysql exists but holds no MariaDB data directory"
		return 1
	fi
	say "creating the MariaDB data directory $PS_VAR/mysql"
	rm -rf "$tmp"
	if ! mariadb-install-db --no-defaults --datadir="$tmp" \
	    --user="$PS_DB_ADMIN" --auth-root-authentication-method=socket \
	    --skip-test-db > "$PS_VAR/log/mariadb-install.log" 2>&1; then
		err "mariadb-install-db failed"
		show_log "$PS_VAR/log/mariadb-install.log"
		return 1
	fi
	mv "$tmp" "$PS_VAR/mysql"
}

db_ping() {
	mariadb-admin --no-defaults --socket="$PS_DB_SOCKET" -u "$PS_DB_ADMIN" \
	    --connect-timeout=2 ping
}

db_start() {
	local args pid
	if read_pid "$PS_VAR/run/mariadb.pid" mariadbd >/dev/null; then
		return 0
	fi
	[ -n "$PS_DB_PORT" ] || { err "no MariaDB port configured"; return 1; }
	rm -f "$PS_DB_SOCKET" "$PS_VAR/run/mariadb.pid"
	args=(--no-defaults --datadir="$PS_VAR/mysql" --socket="$PS_DB_SOCKET"
	    --port="$PS_DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve
	    --pid-file="$PS_VAR/run/mariadb.pid"
	    --log-error="$PS_VAR/log/mariadb.log"
	    --innodb-flush-log-at-trx-commit=1
	    --character-set-server=utf8mb4 --max-connections=200
	    --innodb-buffer-pool-size=512M)
	[ "$(id -u)" -ne 0 ] || args+=(--user=root)
	say "starting MariaDB on 127.0.0.1:$PS_DB_PORT"
	setsid mariadbd "${args[@]}" </dev/null >>"$PS_VAR/log/mariadb.log" 2>&1 \
	    8>&- 9>&- &
	pid=$!
	if ! wait_for 60 "$pid" MariaDB db_ping; then
		show_log "$PS_VAR/log/mariadb.log"
		kill -TERM "$pid" 2>/dev/null
		return 1
	fi
}

db_stop() {
	stop_pidfile MariaDB "$PS_VAR/run/mariadb.pid" mariadbd \
	    --datadir="$PS_VAR/mysql" TERM 60
}

# A crash: SIGKILL, no shutdown; db_start runs InnoDB's recovery.
db_kill() {
	local pid
	pid=$(read_pid "$PS_VAR/run/mariadb.pid" mariadbd) ||
	    { err "MariaDB is not running"; return 1; }
	say "killing MariaDB (pid $pid) with SIGKILL"
	kill -KILL "$pid" && wait_gone "$pid" 10
}

# db_signal STOP|CONT: a stopped server keeps its connections open but
# answers nothing, as behind a network partition: clients hang, not fail.
db_signal() {
	local pid
	pid=$(read_pid "$PS_VAR/run/mariadb.pid" mariadbd) ||
	    { err "MariaDB is not running"; return 1; }
	kill -"$1" "$pid"
}

# db_sql [ARGS...]: the mariadb client as the DB superuser, over the socket.
db_sql() {
	mariadb --no-defaults --socket="$PS_DB_SOCKET" -u "$PS_DB_ADMIN" \
	    --batch --skip-column-names "$@"
}

db_password() {
	cat "$PS_VAR/db.password"
}

# The database and its user (password made once, kept in VAR/db.password;
# set again each time so the file and the server always agree).
db_setup() {
	local pw h
	if [ ! -s "$PS_VAR/db.password" ]; then
		(umask 077 && openssl rand -hex 18 > "$PS_VAR/db.password") || return 1
	fi
	pw=$(db_password) || return 1
	{
		echo "CREATE DATABASE IF NOT EXISTS pesaswap CHARACTER SET utf8mb4;"
		for h in localhost 127.0.0.1; do
			echo "CREATE USER IF NOT EXISTS 'pesaswap'@'$h' IDENTIFIED BY '$pw';"
			echo "ALTER USER 'pesaswap'@'$h' IDENTIFIED BY '$pw';"
			echo "GRANT ALL PRIVILEGES ON pesaswap.* TO 'pesaswap'@'$h';"
		done
	} | db_sql || { err "creating the database and its user failed"; return 1; }
}

# The key that seals webhook secrets: made once, shared by pesaswap-fcgi
# and pesaswap-jobs (README "Configuration").
secrets_key() {
	if [ ! -s "$PS_VAR/secrets.key" ]; then
		(umask 077 && openssl rand -hex 32 > "$PS_VAR/secrets.key") || return 1
	fi
	cat "$PS_VAR/secrets.key"
}

# ps_env_vars: sets PS_ENV to this stack's PESASWAP_* settings (NAME=VALUE).
# PESASWAP_WEBHOOK_RETRY_MS passes through (test.sh shortens retries).
ps_env_vars() {
	PS_ENV=(PESASWAP_DB_HOST=127.0.0.1 PESASWAP_DB_PORT="$PS_DB_PORT"
	    PESASWAP_DB_SOCKET="$PS_DB_SOCKET" PESASWAP_DB_USER=pesaswap
	    PESASWAP_DB_PASSWORD="$(db_password)" PESASWAP_DB_NAME=pesaswap
	    PESASWAP_SQL_DIR="$PS_SRC/sql" PESASWAP_BODY_LIMIT="$PS_BODY_LIMIT"
	    PESASWAP_IMPORT_LIMIT="$PS_IMPORT_LIMIT"
	    PESASWAP_SECRETS_KEY="$(secrets_key)")
	if [ -n "${PESASWAP_WEBHOOK_RETRY_MS:-}" ]; then
		PS_ENV+=(PESASWAP_WEBHOOK_RETRY_MS="$PESASWAP_WEBHOOK_RETRY_MS")
	fi
}

# ps_env COMMAND...: runs COMMAND with those settings.
ps_env() {
	ps_env_vars
	env "${PS_ENV[@]}" "$@"
}

migrate() {
	say "migrating"
	ps_env "$PS_BUILD/fcgi/pesaswap-admin" migrate --dir "$PS_SRC/sql"
}

# env_get FILE NAME: a value from a [export ]KEY=value file (never sourced).
env_get() {
	local v
	v=$(grep -m1 -E "^(export )?$2=" "$1" 2>/dev/null) || return 1
	v=${v#*=}
	v=${v#\'}
	printf '%s\n' "${v%\'}"
}

# The demo account: kept from VAR/demo.env while the database still has
# it, else made with pesaswap-admin. Sets PS_ACCOUNT_ID, PS_TEST_KEY,
# PS_LIVE_KEY.
demo_account() {
	local f=$PS_VAR/demo.env out
	PS_ACCOUNT_ID=$(env_get "$f" PESASWAP_ACCOUNT_ID) || PS_ACCOUNT_ID=
	PS_TEST_KEY=$(env_get "$f" PESASWAP_TEST_KEY) || PS_TEST_KEY=
	PS_LIVE_KEY=$(env_get "$f" PESASWAP_LIVE_KEY) || PS_LIVE_KEY=
	if [[ $PS_ACCOUNT_ID =~ ^acct_[0-9A-Za-z]+$ ]] && [ -n "$PS_TEST_KEY" ] &&
	    [ "$(db_sql -e "SELECT COUNT(*) FROM pesaswap.accounts WHERE id = '$PS_ACCOUNT_ID'")" = 1 ]; then
		return 0
	fi
	say "creating the demo account"
	out=$(ps_env "$PS_BUILD/fcgi/pesaswap-admin" account create --name Demo) || return 1
	PS_ACCOUNT_ID=$(grep -m1 '^PESASWAP_ACCOUNT_ID=' <<<"$out" | cut -d= -f2-)
	PS_TEST_KEY=$(grep -m1 '^PESASWAP_TEST_KEY=' <<<"$out" | cut -d= -f2-)
	PS_LIVE_KEY=$(grep -m1 '^PESASWAP_LIVE_KEY=' <<<"$out" | cut -d= -f2-)
	if [ -z "$PS_ACCOUNT_ID" ] || [ -z "$PS_TEST_KEY" ] || [ -z "$PS_LIVE_KEY" ]; then
		err "pesaswap-admin account create printed no account and keys"
		return 1
	fi
}

# The demo dashboard user of the demo account: its email and password are
# kept from VAR/demo.env, else made up; set (again) on every start, so the
# login printed is the one that works. Sets PS_DASH_EMAIL, PS_DASH_PASSWORD.
demo_user() {
	local f=$PS_VAR/demo.env
	PS_DASH_EMAIL=$(env_get "$f" PESASWAP_DASHBOARD_EMAIL) ||
	    PS_DASH_EMAIL=demo@example.com
	PS_DASH_PASSWORD=$(env_get "$f" PESASWAP_DASHBOARD_PASSWORD) ||
	    PS_DASH_PASSWORD=$(openssl rand -hex 12) || return 1
	printf '%s\n' "$PS_DASH_PASSWORD" |
	    ps_env "$PS_BUILD/fcgi/pesaswap-admin" user create \
	    --account "$PS_ACCOUNT_ID" --email "$PS_DASH_EMAIL" \
	    --update-password >/dev/null
}

# ------------------------------------------------------------ TLS, workers

tls_cert() {
	local d=$PS_VAR/tls
	[ -s "$d/cert.pem" ] && [ -s "$d/key.pem" ] && return 0
	say "making a self-signed certificate for localhost and 127.0.0.1"
	mkdir -p "$d" || return 1
	(umask 077 && openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
	    -subj "/CN=localhost" \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	    -addext "extendedKeyUsage=serverAuth" \
	    -keyout "$d/key.pem" -out "$d/cert.pem" 2>"$PS_VAR/log/openssl.log") ||
	    { err "openssl could not make the certificate"; show_log "$PS_VAR/log/openssl.log"; return 1; }
	chmod 644 "$d/cert.pem"
}

fcgi_start() {
	local pid
	if read_pid "$PS_VAR/run/fcgi.pid" pesaswap-fcgi >/dev/null; then
		return 0
	fi
	rm -f "$PS_FCGI_SOCKET" "$PS_VAR/run/fcgi.pid"
	say "starting pesaswap-fcgi on $PS_FCGI_SOCKET"
	ps_env_vars
	# Its own session, so a Ctrl-C meant for run.sh reaches it only as
	# our SIGTERM; $! is the master itself (setsid and env exec).
	setsid env "${PS_ENV[@]}" "$PS_BUILD/fcgi/pesaswap-fcgi" \
	    --listen "unix:$PS_FCGI_SOCKET" --pid-file "$PS_VAR/run/fcgi.pid" \
	    </dev/null >>"$PS_VAR/log/fcgi.log" 2>&1 8>&- 9>&- &
	pid=$!
	if ! wait_for 20 "$pid" pesaswap-fcgi test -S "$PS_FCGI_SOCKET" ||
	    ! wait_for 5 "$pid" pesaswap-fcgi read_pid "$PS_VAR/run/fcgi.pid" pesaswap-fcgi; then
		show_log "$PS_VAR/log/fcgi.log"
		kill -TERM "$pid" 2>/dev/null
		return 1
	fi
}

# SIGTERM: the master stops accepting and lets in-flight requests finish.
fcgi_stop() {
	stop_pidfile pesaswap-fcgi "$PS_VAR/run/fcgi.pid" pesaswap-fcgi \
	    "unix:$PS_FCGI_SOCKET" TERM 20
}

# The master's live children (its workers), one pid a line.
fcgi_workers() {
	local master c
	master=$(read_pid "$PS_VAR/run/fcgi.pid" pesaswap-fcgi) || return 1
	for c in $(cat /proc/"$master"/task/*/children 2>/dev/null ||
	    pgrep -P "$master"); do
		alive "$c" && echo "$c"
	done
	return 0
}

# pesaswap-jobs: webhook deliveries (and later billing). Its pid file is
# written here; it has no daemon mode of its own.
jobs_start() {
	local pid
	if read_pid "$PS_VAR/run/jobs.pid" pesaswap-jobs >/dev/null; then
		return 0
	fi
	say "starting pesaswap-jobs"
	ps_env_vars
	setsid env "${PS_ENV[@]}" "$PS_BUILD/fcgi/pesaswap-jobs" \
	    </dev/null >>"$PS_VAR/log/jobs.log" 2>&1 8>&- 9>&- &
	pid=$!
	printf '%s\n' "$pid" > "$PS_VAR/run/jobs.pid"
	if ! wait_for 10 "$pid" pesaswap-jobs grep -q 'pesaswap-jobs running' \
	    "$PS_VAR/log/jobs.log"; then
		show_log "$PS_VAR/log/jobs.log"
		kill -TERM "$pid" 2>/dev/null
		return 1
	fi
}

# SIGTERM: it stops claiming and finishes the deliveries under way.
jobs_stop() {
	stop_pidfile pesaswap-jobs "$PS_VAR/run/jobs.pid" pesaswap-jobs \
	    pesaswap-jobs TERM 20
}

# ------------------------------------------------------------------- nginx

# fill FILE NAME=VALUE...: FILE with each @NAME@ replaced by VALUE.
fill() {
	local file=$1 kv v script=
	shift
	for kv in "$@"; do
		v=${kv#*=}
		v=${v//\\/\\\\}
		v=${v//|/\\|}
		v=${v//&/\\&}
		script+="s|@${kv%%=*}@|$v|g;"
	done
	sed -e "$script" "$file"
}

# The user nginx's workers run as: nobody when nginx starts as root and
# nobody can reach the dashboard and the FastCGI socket; else ourselves.
nginx_user() {
	local dash=$PS_BUILD/dashboard
	[ "$(id -u)" -eq 0 ] || return 0
	if runuser -u nobody -- test -r "$dash/index.html" -a -x "$dash" \
	    -a -x "$PS_VAR/run" 2>/dev/null; then
		echo "nobody $(id -gn nobody)"
	else
		warn "user nobody cannot reach $dash or $PS_VAR/run: nginx workers run as root"
		echo "root root"
	fi
}

nginx_conf() {
	local user
	mkdir -p "$PS_VAR/nginx" "$PS_VAR/log" "$PS_VAR/run" || return 1
	user=$(nginx_user)
	{
		fill "$PS_SRC/nginx/pesaswap.conf.in" \
		    HTTP_PORT="$PS_HTTP_PORT" HTTPS_PORT="$PS_HTTPS_PORT" \
		    VAR="$PS_VAR" LISTEN_ADDR="${PS_LISTEN_ADDR:-127.0.0.1}" \
		    UPSTREAM="${PS_UPSTREAM:-server unix:$PS_FCGI_SOCKET;}" \
		    DASHBOARD_DIR="$PS_BUILD/dashboard" DOCS_DIR="$PS_BUILD/docs" \
		    NGINX_DIR="$PS_SRC/nginx" \
		    TLS_CERT="$PS_VAR/tls/cert.pem" TLS_KEY="$PS_VAR/tls/key.pem" \
		    BODY_LIMIT="$PS_BODY_LIMIT" IMPORT_LIMIT="$PS_IMPORT_LIMIT" \
		    USER="${user:-nobody}" \
		    RATE_LIMIT="${PESASWAP_RATE_LIMIT:-100}" \
		    RATE_BURST="${PESASWAP_RATE_BURST:-200}" |
		    if [ -z "$user" ]; then sed '/^user /d'; else cat; fi
	} > "$PS_VAR/nginx.conf.new" || return 1
	mv "$PS_VAR/nginx.conf.new" "$PS_VAR/nginx.conf"
	if [ -n "$user" ]; then
		# The temp dirs (nginx makes and chowns its own, but not when
		# they already exist from a run as another user).
		mkdir -p "$PS_VAR"/nginx/{client_body,fastcgi,proxy,scgi,uwsgi} &&
		    chown "${user% *}:${user#* }" "$PS_VAR"/nginx/* || return 1
	fi
}

ps_nginx() {
	nginx -p "$PS_VAR/nginx/" -c "$PS_VAR/nginx.conf" "$@"
}

nginx_start() {
	if read_pid "$PS_VAR/run/nginx.pid" nginx >/dev/null; then
		return 0
	fi
	nginx_conf || return 1
	if ! ps_nginx -t -q 2>"$PS_VAR/log/nginx-test.log"; then
		err "nginx refuses $PS_VAR/nginx.conf:"
		cat "$PS_VAR/log/nginx-test.log" >&2
		return 1
	fi
	say "starting nginx on 127.0.0.1:$PS_HTTP_PORT (HTTP) and :$PS_HTTPS_PORT (HTTPS)"
	# nginx daemonises once its ports are bound, then writes its pid file.
	if ! nginx -p "$PS_VAR/nginx/" -c "$PS_VAR/nginx.conf" </dev/null \
	    >/dev/null 2>>"$PS_VAR/log/nginx-error.log" 8>&- 9>&- ||
	    ! wait_for 10 $$ nginx read_pid "$PS_VAR/run/nginx.pid" nginx; then
		err "nginx did not start"
		show_log "$PS_VAR/log/nginx-error.log"
		return 1
	fi
}

nginx_stop() {
	stop_pidfile nginx "$PS_VAR/run/nginx.pid" nginx "$PS_VAR/nginx.conf" QUIT 10
}

# ------------------------------------------------------------ the whole

# q VALUE: VALUE as a shell word (quoted only when it needs to be).
q() {
	if [[ $1 =~ ^[A-Za-z0-9_./:@%+,=-]*$ ]]; then
		printf '%s' "$1"
	else
		printf "'%s'" "${1//\'/\'\\\'\'}"
	fi
}

write_demo_env() {
	local f=$PS_VAR/demo.env
	(umask 077 && cat > "$f.new") <<EOF || return 1
# Written by scripts/stack.sh. Use: . $(q "$f")
export PESASWAP_API_URL=http://127.0.0.1:$PS_HTTP_PORT
export PESASWAP_HTTPS_URL=https://127.0.0.1:$PS_HTTPS_PORT
export PESASWAP_DASHBOARD_URL=http://127.0.0.1:$PS_HTTP_PORT/dashboard/
export PESASWAP_ACCOUNT_ID=$(q "$PS_ACCOUNT_ID")
export PESASWAP_TEST_KEY=$(q "$PS_TEST_KEY")
export PESASWAP_LIVE_KEY=$(q "$PS_LIVE_KEY")
export PESASWAP_DASHBOARD_EMAIL=$(q "$PS_DASH_EMAIL")
export PESASWAP_DASHBOARD_PASSWORD=$(q "$PS_DASH_PASSWORD")
export PESASWAP_DB_HOST=127.0.0.1
export PESASWAP_DB_PORT=$PS_DB_PORT
export PESASWAP_DB_SOCKET=$(q "$PS_DB_SOCKET")
export PESASWAP_DB_USER=pesaswap
export PESASWAP_DB_PASSWORD=$(q "$(db_password)")
export PESASWAP_DB_NAME=pesaswap
export PESASWAP_TLS_CERT=$(q "$PS_VAR/tls/cert.pem")
EOF
	mv "$f.new" "$f"
}

# stack_up: everything, in order, for the configured VAR, ports and build.
# The one place both commands start the stack: later issues add their
# steps here and their stop to stop_all.
stack_up() {
	stack_save &&
	chmod 755 "$PS_VAR" &&	# nginx workers reach VAR/run
	db_init &&
	db_start &&
	db_setup &&
	migrate &&
	demo_account &&
	demo_user &&
	tls_cert &&
	fcgi_start &&
	jobs_start &&
	nginx_start &&
	write_demo_env
}

stop_all() {
	local rc=0
	nginx_stop || rc=1
	jobs_stop || rc=1
	fcgi_stop || rc=1
	db_stop || rc=1
	return "$rc"
}

# status: one line per component; non-zero if any is down.
stack_status() {
	local name file comm pid rc=0
	for name in mariadb:mariadbd fcgi:pesaswap-fcgi nginx:nginx; do
		file=$PS_VAR/run/${name%%:*}.pid
		comm=${name#*:}
		if pid=$(read_pid "$file" "$comm"); then
			echo "$comm running (pid $pid)"
		else
			echo "$comm stopped"
			rc=1
		fi
	done
	return "$rc"
}

stack_main() {
	local cmd=${1:-}
	if [ -z "${PESASWAP_VAR:-}" ] || [ ! -d "$PESASWAP_VAR" ]; then
		err "set PESASWAP_VAR to the stack's directory"
		return 2
	fi
	stack_config "$(cd "$PESASWAP_VAR" && pwd)" "${PESASWAP_BUILD:-}" || return 1
	case $cmd in
	db-stop)	db_stop ;;
	db-start)	db_start ;;
	db-kill)	db_kill ;;
	db-pause)	db_signal STOP ;;
	db-resume)	db_signal CONT ;;
	fcgi-pid)	read_pid "$PS_VAR/run/fcgi.pid" pesaswap-fcgi ;;
	fcgi-stop)	fcgi_stop ;;
	fcgi-start)	fcgi_start ;;
	fcgi-workers)	fcgi_workers ;;
	jobs-pid)	read_pid "$PS_VAR/run/jobs.pid" pesaswap-jobs ;;
	jobs-stop)	jobs_stop ;;
	jobs-start)	jobs_start ;;
	nginx-reload)	ps_nginx -s reload ;;
	stop-all)	stop_all ;;
	status)		stack_status ;;
	*)
		echo "usage: PESASWAP_VAR=DIR bash $0 db-stop|db-start|db-kill|db-pause|db-resume|fcgi-pid|fcgi-stop|fcgi-start|fcgi-workers|jobs-pid|jobs-stop|jobs-start|nginx-reload|stop-all|status" >&2
		return 2 ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -uo pipefail
	stack_main "$@"
	exit
fi
