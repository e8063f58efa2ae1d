#!/usr/bin/env bash
# A scaled-out stack on one machine (issue 14; README "Scaling out"): a
# 3-node MariaDB Galera cluster, worker hosts each running pesaswap-fcgi
# (over TCP) and pesaswap-jobs, and one nginx in front, each in a network
# namespace of its own, joined by a bridge in a "switch" namespace.
# Private addresses exist only inside those namespaces:
#
#   10.77.0.1-3    Galera nodes d1..d3 (3306, 4567, IST 4568, SST 4444)
#   10.77.0.11-13  worker hosts w1..w3 (FastCGI on 9000); host N prefers
#                  node N (--db-hosts own node first)
#   10.77.0.20     nginx (HTTP 8080, HTTPS 8443)
#   10.77.0.254    the switch namespace itself: the tests run there
#
# Everything lives under VAR (PESASWAP_VAR): dN/ (a node's data, socket,
# pid and log), wN/ (a host's pid files and logs), nginx's files as
# scripts/stack.sh makes them, VAR/netns (the namespaces made, for
# clean-up) and VAR/demo.env for the tests. It uses scripts/stack.sh's
# functions (pid files, waiting, nginx's template, the demo account).
#
#   PESASWAP_VAR=DIR PESASWAP_BUILD=BUILD bash tests/cluster/cluster.sh CMD
#
#   up                    namespaces, nodes, hosts, nginx; writes demo.env
#   stop-all              stops all of it and deletes the namespaces
#   db-kill N | db-stop N | db-start [N]   a node (db-start: all down ones)
#   db-resume             nothing (for tests/faults/lib: no paused node)
#   host-cut N | host-join N   host N's link to the switch down or up
#   fcgi-start [N] | fcgi-stop N | fcgi-pid | fcgi-workers
#   jobs-start [N] | jobs-kill N | jobs-pid [N] | jobs-pids
#   synced N              exits 0 when node N is synced
#   nginx-hosts N         nginx sends to hosts w1..wN only (benchmarks)
#   status                one line per process
#
# Hosts and workers: PESASWAP_CLUSTER_HOSTS (3), PESASWAP_CLUSTER_WORKERS
# (per host, 3). Needs root, iproute2, galera-4 and rsync (test.sh
# installs them for the cluster suite).

CL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/stack.sh
. "$CL_DIR/../../scripts/stack.sh"

CL_NODES=3
CL_HOSTS=${PESASWAP_CLUSTER_HOSTS:-3}
CL_WORKERS=${PESASWAP_CLUSTER_WORKERS:-3}
CL_NET=10.77.0
CL_NGINX_IP=$CL_NET.20
CL_CLIENT_IP=$CL_NET.254
CL_FCGI_PORT=9000
GALERA=/usr/lib/galera/libgalera_smm.so

node_ip() { echo "$CL_NET.$1"; }
host_ip() { echo "$CL_NET.$((10 + $1))"; }

# cl_config VAR BUILD: the stack.sh settings plus the namespace names
# (a prefix of our own per VAR, so runs side by side never meet).
cl_config() {
	PS_HTTP_PORT=8080 PS_HTTPS_PORT=8443 PS_DB_PORT=3306
	stack_config "$1" "$2" || return 1
	if [ ! -s "$PS_VAR/netns.prefix" ]; then
		mkdir -p "$PS_VAR" &&
		    printf 'psc%s\n' "$(openssl rand -hex 3)" > "$PS_VAR/netns.prefix" ||
		    return 1
	fi
	CL_NS=$(cat "$PS_VAR/netns.prefix")
	CL_SW=$CL_NS-sw
	PS_LISTEN_ADDR=$CL_NGINX_IP
	PS_DB_SOCKET=$PS_VAR/d1/run/mysqld.sock	# the admin's socket
	PS_UPSTREAM=$(upstream_of "$CL_HOSTS")
}

# upstream_of N: nginx's server lines for hosts w1..wN (passive health
# checks: a host that fails once is left alone for 5 s).
upstream_of() {
	local n
	for n in $(seq 1 "$1"); do
		printf 'server %s:%s max_fails=1 fail_timeout=5s; ' \
		    "$(host_ip "$n")" "$CL_FCGI_PORT"
	done
}

# in NS COMMAND...: COMMAND in our namespace NS (d1, w2, ng, sw).
in_ns() {
	local ns=$1
	shift
	ip netns exec "$CL_NS-$ns" "$@"
}

# ------------------------------------------------------------- the network

# ns_add NAME IP: a namespace with lo up and eth0 (IP/24) whose peer
# vNAME sits on the switch's bridge.
ns_add() {
	local ns=$CL_NS-$1
	ip netns add "$ns" || return 1
	printf '%s\n' "$ns" >> "$PS_VAR/netns"
	ip -n "$ns" link set lo up &&
	ip link add name eth0 netns "$ns" type veth peer name "v$1" \
	    netns "$CL_SW" &&
	ip -n "$CL_SW" link set "v$1" master br0 up &&
	ip -n "$ns" addr add "$2/24" dev eth0 &&
	ip -n "$ns" link set eth0 up
}

net_up() {
	local n
	[ -s "$PS_VAR/netns" ] && { err "$PS_VAR/netns exists: stop-all first"; return 1; }
	ip netns add "$CL_SW" || return 1
	printf '%s\n' "$CL_SW" > "$PS_VAR/netns"
	ip -n "$CL_SW" link set lo up &&
	ip -n "$CL_SW" link add br0 type bridge &&
	ip -n "$CL_SW" addr add "$CL_CLIENT_IP/24" dev br0 &&
	ip -n "$CL_SW" link set br0 up || return 1
	for n in $(seq 1 "$CL_NODES"); do
		ns_add "d$n" "$(node_ip "$n")" || return 1
	done
	for n in $(seq 1 "$CL_HOSTS"); do
		ns_add "w$n" "$(host_ip "$n")" || return 1
	done
	ns_add ng "$CL_NGINX_IP"
}

# Every process in our namespaces is ours: TERM, then KILL; then the
# namespaces go.
net_down() {
	local ns pids rc=0
	[ -f "$PS_VAR/netns" ] || return 0
	for ns in $(cat "$PS_VAR/netns"); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	done
	sleep 0.2
	for ns in $(tac "$PS_VAR/netns"); do
		ip netns del "$ns" 2>/dev/null || { err "cannot delete $ns"; rc=1; }
	done
	rm -f "$PS_VAR/netns"
	return "$rc"
}

# ------------------------------------------------------------ Galera nodes

node_dir() { echo "$PS_VAR/d$1"; }

node_sql() {
	mariadb --no-defaults --socket="$(node_dir "$1")/run/mysqld.sock" \
	    -u "$PS_DB_ADMIN" --batch --skip-column-names --connect-timeout=2 \
	    -e "$2"
}

node_synced() {
	[ "$(node_sql "$1" "SHOW STATUS LIKE 'wsrep_local_state'" 2>/dev/null |
	    cut -f2)" = 4 ]
}

# The settings that matter (README "Scaling out"): row-based binary log
# format, interleaved AUTO_INCREMENT locks, SST by rsync, durability as
# the single server has it.
node_args() {
	local d n=$1 peers= i
	d=$(node_dir "$n")
	for i in $(seq 1 "$CL_NODES"); do
		peers+="${peers:+,}$(node_ip "$i")"
	done
	NODE_ARGS=(--no-defaults --datadir="$d/mysql" --socket="$d/run/mysqld.sock"
	    --port=3306 --bind-address="$(node_ip "$n")" --skip-name-resolve
	    --pid-file="$d/run/mariadb.pid" --log-error="$d/log/mariadb.log"
	    --innodb-flush-log-at-trx-commit=1 --innodb-buffer-pool-size=128M
	    --innodb-log-file-size=32M
	    --character-set-server=utf8mb4 --max-connections=200
	    --binlog-format=ROW --innodb-autoinc-lock-mode=2
	    --log-bin-trust-function-creators=1
	    --default-storage-engine=InnoDB --wsrep-on=ON
	    --wsrep-provider="$GALERA" --wsrep-cluster-name=pesaswap
	    --wsrep-cluster-address="gcomm://$peers"
	    --wsrep-node-address="$(node_ip "$n")" --wsrep-node-name="d$n"
	    --wsrep-sst-method=rsync --wsrep-slave-threads=2
	    --wsrep-provider-options="gcache.size=64M"
	    --user=mysql)
}

# A node runs as Debian's mysql user, as in production: the rsync
# daemon of an SST started by root would write as nobody.
node_init() {
	local d
	d=$(node_dir "$1")
	mkdir -p "$d/run" "$d/log" || return 1
	if [ ! -d "$d/mysql" ] && [ "$1" -ne 1 ]; then
		mkdir -p "$d/mysql"	# a joiner gets its data by SST
	elif [ ! -d "$d/mysql" ]; then
		mariadb-install-db --no-defaults --datadir="$d/mysql.init" \
		    --user=mysql --auth-root-authentication-method=socket \
		    --skip-test-db > "$d/log/install.log" 2>&1 ||
		    { show_log "$d/log/install.log"; return 1; }
		mv "$d/mysql.init" "$d/mysql"
	fi
	chown -R mysql:mysql "$d"
}

# After a crash grastate.dat says seqno -1: the position is recovered
# from InnoDB first (what Debian's galera_recovery does before a start),
# so the node asks for the writes it missed (IST from a peer's gcache)
# instead of a whole copy (SST). Sets NODE_ARGS.
node_recover() {
	local n=$1 d pos
	d=$(node_dir "$n")
	node_args "$n"
	grep -q '^seqno: *-1' "$d/mysql/grastate.dat" 2>/dev/null || return 0
	ip netns exec "$CL_NS-d$n" mariadbd "${NODE_ARGS[@]}" --wsrep-recover \
	    --log-error="$d/log/recover.log" </dev/null >/dev/null 2>&1 8>&- 9>&-
	pos=$(sed -n 's/.*WSREP: Recovered position: *//p' "$d/log/recover.log" |
	    tail -n 1)
	[ -z "$pos" ] || NODE_ARGS+=(--wsrep-start-position="$pos")
}

# node_start N [--wsrep-new-cluster]: starts node N and waits until it is
# synced (a rejoin by IST, or SST when its state is too old).
node_start() {
	local n=$1 d pid
	shift
	d=$(node_dir "$n")
	read_pid "$d/run/mariadb.pid" mariadbd >/dev/null && return 0
	node_init "$n" && node_recover "$n" || return 1
	rm -f "$d/run/mysqld.sock" "$d/run/mariadb.pid"
	say "starting Galera node d$n ($(node_ip "$n")) $*"
	ip netns exec "$CL_NS-d$n" setsid mariadbd "${NODE_ARGS[@]}" "$@" </dev/null \
	    >>"$d/log/mariadb.log" 2>&1 8>&- 9>&- &
	pid=$!
	if ! wait_for 180 "$pid" "node d$n" node_synced "$n"; then
		show_log "$d/log/mariadb.log" 30
		return 1
	fi
}

node_stop() {
	stop_pidfile "node d$1" "$(node_dir "$1")/run/mariadb.pid" mariadbd \
	    --datadir="$(node_dir "$1")/mysql" TERM 60
}

node_kill() {
	local pid
	pid=$(read_pid "$(node_dir "$1")/run/mariadb.pid" mariadbd) ||
	    { err "node d$1 is not running"; return 1; }
	say "SIGKILL node d$1 (pid $pid)"
	kill -KILL "$pid" && wait_gone "$pid" 10
}

# Starts every node that is down, one at a time (a joiner's SST donor
# must be synced).
nodes_start() {
	local n
	for n in $(seq 1 "$CL_NODES"); do
		node_start "$n" || return 1
	done
}

# The database, its user for every address of the cluster's network and
# for the socket, as stack.sh's db_setup does for one server.
cluster_setup() {
	local pw h
	if [ ! -s "$PS_VAR/db.password" ]; then
		(umask 077 && openssl rand -hex 18 > "$PS_VAR/db.password") || return 1
	fi
	pw=$(db_password) || return 1
	{
		echo "CREATE DATABASE IF NOT EXISTS pesaswap CHARACTER SET utf8mb4;"
		for h in localhost "$CL_NET.%"; do
			echo "CREATE USER IF NOT EXISTS 'pesaswap'@'$h' IDENTIFIED BY '$pw';"
			echo "GRANT ALL PRIVILEGES ON pesaswap.* TO 'pesaswap'@'$h';"
		done
	} | node_sql 1 "$(cat)"
}

# ------------------------------------------------------------ worker hosts

host_dir() { echo "$PS_VAR/w$1"; }

# The node list of host N: its own node first, then the others.
host_nodes() {
	local n=$1 i list
	list="$(node_ip "$n"):3306"
	for i in $(seq 1 "$CL_NODES"); do
		[ "$i" -eq "$n" ] || list+=",$(node_ip "$i"):3306"
	done
	echo "$list"
}

cl_env() {
	ps_env_vars
	PS_ENV+=(PESASWAP_DB_HOSTS="$(host_nodes "$1")"
	    PESASWAP_DB_SYNC_WAIT="${PESASWAP_DB_SYNC_WAIT:-1}")
}

# host_prepare N FILE COMM: host N's directory (in D) and environment;
# fails if COMM runs there already (FILE its pid file in D).
host_prepare() {
	D=$(host_dir "$1")
	mkdir -p "$D" && ! read_pid "$D/$2" "$3" >/dev/null && cl_env "$1"
}

fcgi_start_host() {
	local n=$1 D pid
	host_prepare "$n" fcgi.pid pesaswap-fcgi || return 0
	local d=$D
	say "starting pesaswap-fcgi on host w$n ($(host_ip "$n"):$CL_FCGI_PORT)"
	ip netns exec "$CL_NS-w$n" setsid env "${PS_ENV[@]}" \
	    "$PS_BUILD/fcgi/pesaswap-fcgi" \
	    --listen "$(host_ip "$n"):$CL_FCGI_PORT" --workers "$CL_WORKERS" \
	    --pid-file "$d/fcgi.pid" </dev/null >>"$d/fcgi.log" 2>&1 8>&- 9>&- &
	pid=$!
	wait_for 20 "$pid" "pesaswap-fcgi w$n" read_pid "$d/fcgi.pid" pesaswap-fcgi ||
	    { show_log "$d/fcgi.log"; return 1; }
}

# host_stop N COMM FILE: stops COMM of host N, found by FILE or else
# among the processes of host N's namespace (never anyone else's).
host_stop() {
	local n=$1 comm=$2 file=$3 pids pid
	pids=$(read_pid "$file" "$comm") ||
	    pids=$(for pid in $(ip netns pids "$CL_NS-w$n" 2>/dev/null); do
		alive "$pid" "$comm" && echo "$pid"; done)
	for pid in $pids; do
		say "stopping $comm on w$n (pid $pid)"
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $pids; do
		wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null
	done
	rm -f "$file"
}

fcgi_stop_host() {
	host_stop "$1" pesaswap-fcgi "$(host_dir "$1")/fcgi.pid"
}

# lines_more FILE TEXT N: FILE has more than N lines with TEXT.
lines_more() {
	[ "$(grep -c "$2" "$1")" -gt "$3" ]
}

jobs_start_host() {
	local n=$1 D pid seen
	host_prepare "$n" jobs.pid pesaswap-jobs || return 0
	local d=$D
	: >>"$d/jobs.log"
	seen=$(grep -c 'pesaswap-jobs running' "$d/jobs.log")
	say "starting pesaswap-jobs on host w$n"
	# Not through in_ns: $! must be the program (ip, setsid, env exec).
	ip netns exec "$CL_NS-w$n" setsid env "${PS_ENV[@]}" \
	    "$PS_BUILD/fcgi/pesaswap-jobs" \
	    </dev/null >>"$d/jobs.log" 2>&1 8>&- 9>&- &
	pid=$!
	printf '%s\n' "$pid" > "$d/jobs.pid"
	wait_for 10 "$pid" "pesaswap-jobs w$n" lines_more "$d/jobs.log" \
	    'pesaswap-jobs running' "$seen" ||
	    { show_log "$d/jobs.log"; return 1; }
}

jobs_kill_host() {
	local pid
	pid=$(read_pid "$(host_dir "$1")/jobs.pid" pesaswap-jobs) || return 0
	say "SIGKILL pesaswap-jobs on w$1 (pid $pid)"
	kill -KILL "$pid" && wait_gone "$pid" 10
}

# The workers of every host (the master's children), one pid a line.
all_workers() {
	local n m c
	for n in $(seq 1 "$CL_HOSTS"); do
		m=$(read_pid "$(host_dir "$n")/fcgi.pid" pesaswap-fcgi) || continue
		for c in $(cat /proc/"$m"/task/*/children 2>/dev/null); do
			alive "$c" && echo "$c"
		done
	done
}

host_link() {
	say "host w$1: link $2"
	ip -n "$CL_SW" link set "vw$1" "$2"
}

# ------------------------------------------------------------ the whole

cl_nginx_start() {
	read_pid "$PS_VAR/run/nginx.pid" nginx >/dev/null && return 0
	nginx_conf || return 1
	in_ns ng nginx -p "$PS_VAR/nginx/" -c "$PS_VAR/nginx.conf" -t -q \
	    2>"$PS_VAR/log/nginx-test.log" ||
	    { cat "$PS_VAR/log/nginx-test.log" >&2; return 1; }
	say "starting nginx on $CL_NGINX_IP:$PS_HTTP_PORT"
	in_ns ng nginx -p "$PS_VAR/nginx/" -c "$PS_VAR/nginx.conf" </dev/null \
	    >/dev/null 2>>"$PS_VAR/log/nginx-error.log" 8>&- 9>&- &&
	    wait_for 10 $$ nginx read_pid "$PS_VAR/run/nginx.pid" nginx
}

# nginx_hosts N: nginx sends to the first N hosts only (benchmarks).
nginx_hosts() {
	PS_UPSTREAM=$(upstream_of "$1")
	nginx_conf && in_ns ng nginx -p "$PS_VAR/nginx/" -c "$PS_VAR/nginx.conf" \
	    -s reload && sleep 1
}

# The tests' settings: stack.sh's demo.env, with the cluster's URL and
# node list, and this script as PESASWAP_STACK.
cl_demo_env() {
	write_demo_env || return 1
	sed -i -e "s|http://127.0.0.1:|http://$CL_NGINX_IP:|" \
	    -e "s|https://127.0.0.1:|https://$CL_NGINX_IP:|" \
	    -e '/PESASWAP_DB_SOCKET=/d' \
	    -e "s|^export PESASWAP_DB_HOST=.*|export PESASWAP_DB_HOST=$(node_ip 1)|" \
	    "$PS_VAR/demo.env" || return 1
	cat >> "$PS_VAR/demo.env" <<EOF
export PESASWAP_DB_HOSTS=$(host_nodes 1)
export PESASWAP_STACK=$(q "$CL_DIR/cluster.sh")
export PESASWAP_CLUSTER_NETNS=$(q "$CL_SW")
export PESASWAP_CLUSTER_HOSTS=$CL_HOSTS
export PESASWAP_CLUSTER_NODES=$CL_NODES
EOF
}

cluster_up() {
	local n
	stack_save && chmod 755 "$PS_VAR" && mkdir -p "$PS_VAR/log" "$PS_VAR/run" &&
	net_up || return 1
	node_start 1 --wsrep-new-cluster && cluster_setup || return 1
	for n in $(seq 2 "$CL_NODES"); do
		node_start "$n" || return 1
	done
	# pesaswap-admin through node 1's socket (no list: it runs here).
	migrate && demo_account && demo_user && tls_cert || return 1
	for n in $(seq 1 "$CL_HOSTS"); do
		fcgi_start_host "$n" && jobs_start_host "$n" || return 1
	done
	cl_nginx_start && cl_demo_env
}

cluster_stop() {
	local n rc=0
	stop_pidfile nginx "$PS_VAR/run/nginx.pid" nginx "$PS_VAR/nginx.conf" QUIT 10 || rc=1
	for n in $(seq 1 "$CL_HOSTS"); do
		host_stop "$n" pesaswap-jobs "$(host_dir "$n")/jobs.pid" || rc=1
		fcgi_stop_host "$n" || rc=1
	done
	for n in $(seq "$CL_NODES" -1 1); do
		node_stop "$n" || rc=1
	done
	net_down || rc=1
	return "$rc"
}

cluster_status() {
	local n f comm
	for f in "$PS_VAR"/d*/run/mariadb.pid "$PS_VAR"/w*/fcgi.pid \
	    "$PS_VAR"/w*/jobs.pid "$PS_VAR/run/nginx.pid"; do
		case $f in
		*/mariadb.pid) comm=mariadbd ;;
		*/fcgi.pid) comm=pesaswap-fcgi ;;
		*/jobs.pid) comm=pesaswap-jobs ;;
		*) comm=nginx ;;
		esac
		n=${f#"$PS_VAR"/}
		if read_pid "$f" "$comm" >/dev/null; then
			echo "$n running"
		else
			echo "$n stopped"
		fi
	done
}

# For tests/faults/lib's restoreStack: every node, host and link back.
fcgi_start_all() {
	local n
	for n in $(seq 1 "$CL_HOSTS"); do
		host_link "$n" up && fcgi_start_host "$n" && jobs_start_host "$n" ||
		    return 1
	done
}

cluster_main() {
	local cmd=${1:-} arg=${2:-}
	if [ -z "${PESASWAP_VAR:-}" ]; then
		err "set PESASWAP_VAR to the cluster's directory"
		return 2
	fi
	mkdir -p "$PESASWAP_VAR" || return 1
	cl_config "$(cd "$PESASWAP_VAR" && pwd)" "${PESASWAP_BUILD:-}" || return 1
	case $cmd in
	up)		cluster_up ;;
	stop-all)	cluster_stop ;;
	db-kill)	node_kill "$arg" ;;
	db-stop)	node_stop "$arg" ;;
	db-start)	if [ -n "$arg" ]; then node_start "$arg"; else nodes_start; fi ;;
	db-resume)	return 0 ;;
	synced)		node_synced "$arg" ;;
	host-cut)	host_link "$arg" down ;;
	host-join)	host_link "$arg" up ;;
	fcgi-start)	if [ -n "$arg" ]; then fcgi_start_host "$arg"; else fcgi_start_all; fi ;;
	fcgi-stop)	fcgi_stop_host "$arg" ;;
	fcgi-pid)	read_pid "$(host_dir "${arg:-1}")/fcgi.pid" pesaswap-fcgi ;;
	fcgi-workers)	all_workers ;;
	jobs-start)	if [ -n "$arg" ]; then jobs_start_host "$arg"; else fcgi_start_all; fi ;;
	jobs-kill)	jobs_kill_host "$arg" ;;
	jobs-pid)	read_pid "$(host_dir "${arg:-1}")/jobs.pid" pesaswap-jobs ;;
	nginx-hosts)	nginx_hosts "$arg" ;;
	status)		cluster_status ;;
	*)
		echo "usage: PESASWAP_VAR=DIR bash $0 up|stop-all|db-kill N|db-stop N|db-start [N]|synced N|host-cut N|host-join N|fcgi-start [N]|fcgi-stop N|fcgi-pid [N]|fcgi-workers|jobs-start [N]|jobs-kill N|jobs-pid [N]|nginx-hosts N|status" >&2
		return 2 ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -uo pipefail
	cluster_main "$@"
	exit
fi
