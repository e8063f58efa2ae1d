#!/usr/bin/env bash
# ./run.sh: installs what is missing, builds, and runs PesaSwap on
# 127.0.0.1 with its data under var/ (DESIGN.md "The two commands").
# Ctrl-C stops everything it started; run again, it keeps the data.
#
#   PESASWAP_HTTP_PORT   HTTP port (8080)      PESASWAP_HTTPS_PORT  (8443)
#   PESASWAP_DB_PORT     MariaDB's TCP port (kept from the last run, else
#                        a free one)
#   PESASWAP_WORKERS, PESASWAP_LOG_LEVEL, PESASWAP_BODY_LIMIT are passed
#   on to pesaswap-fcgi.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/stack.sh
. scripts/stack.sh

stack_config "$PWD/var" "$PWD/build"

# One ./run.sh per var/ at a time.
if pid=$(read_pid var/run/run.pid bash); then
	err "./run.sh is already running for this checkout (pid $pid)"
	exit 1
fi

# Ctrl-C, or any exit: stop what we started.
cleanup() {
	echo
	stop_all || true
	rm -f var/run/run.pid
}
on_exit cleanup

mkdir -p var/run
echo $$ > var/run/run.pid

install_deps || { err "installing the Debian packages failed"; exit 1; }
build "$PWD/build" || { err "the build failed (see above)"; exit 1; }

# Whatever a run that was killed (not stopped) left behind.
stop_all

PS_HTTP_PORT=${PESASWAP_HTTP_PORT:-8080}
PS_HTTPS_PORT=${PESASWAP_HTTPS_PORT:-8443}
for p in "$PS_HTTP_PORT" "$PS_HTTPS_PORT"; do
	if port_in_use "$p"; then
		err "port $p is in use: set PESASWAP_HTTP_PORT / PESASWAP_HTTPS_PORT"
		exit 1
	fi
done
PS_DB_PORT=${PESASWAP_DB_PORT:-$PS_DB_PORT}
if [ -z "$PS_DB_PORT" ] || port_in_use "$PS_DB_PORT"; then
	PS_DB_PORT=$(free_port "$PS_HTTP_PORT" "$PS_HTTPS_PORT")
fi

# Starts MariaDB, migrates, the demo account, pesaswap-fcgi, nginx,
# var/demo.env (scripts/stack.sh stack_up, the one list of steps).
if ! stack_up; then
	err "the stack did not start; logs in var/log/"
	exit 1
fi

cat <<EOF

PesaSwap is running (Ctrl-C stops it).

  API          http://127.0.0.1:$PS_HTTP_PORT/v1    https://127.0.0.1:$PS_HTTPS_PORT/v1 (self-signed: var/tls/cert.pem)
  Dashboard    http://127.0.0.1:$PS_HTTP_PORT/dashboard/
  Sign in      $PS_DASH_EMAIL / $PS_DASH_PASSWORD
  Account      $PS_ACCOUNT_ID
  Test key     $PS_TEST_KEY
  Everything   var/demo.env (live key, database): . var/demo.env
  Logs         var/log/

Try it (the seed's example):

curl -X POST http://127.0.0.1:$PS_HTTP_PORT/v1/customers \\
  -H "Authorization: Bearer $PS_TEST_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "name": "John Doe",
    "email": "john.doe@example.com",
    "phone": "+1234567890"
  }'

curl http://127.0.0.1:$PS_HTTP_PORT/v1/customers -u $PS_TEST_KEY:

EOF

# Watch the servers; say when one goes down or comes back (a developer may
# stop MariaDB on purpose: bash scripts/stack.sh db-stop).
declare -A was
while sleep 2; do
	for c in mariadb:mariadbd fcgi:pesaswap-fcgi nginx:nginx; do
		if read_pid "var/run/${c%%:*}.pid" "${c#*:}" >/dev/null; then
			now=up
		else
			now=down
		fi
		if [ "${was[$c]:-up}" != "$now" ]; then
			echo "${c#*:} is $now (logs: var/log/)"
			was[$c]=$now
		fi
	done
done
