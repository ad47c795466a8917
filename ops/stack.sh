#!/usr/bin/env bash
# The local stack: PostgreSQL, Redis, OpenSearch and Neo4j, each a real server bound to
# 127.0.0.1 with its data under var/. Called by the Makefile:
#
#   ops/stack.sh install            apt packages, virtualenv, server artifacts (idempotent)
#   ops/stack.sh start  SERVICE...  start the named services (if not running) and wait until healthy
#   ops/stack.sh stop   [SERVICE...]
#   ops/stack.sh status
#
# Services: postgres redis opensearch neo4j neo4j-test
# (neo4j-test is a second Neo4j instance: Community edition has one user database, so the
# test suite's graph lives in its own server rather than beside the demo data.)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR="$ROOT/var"
VENV="$ROOT/.venv"
PYTHON_BIN=${PYTHON:-python3}

POSTGRES_PORT=15432
REDIS_PORT=16379
OPENSEARCH_PORT=19200
OPENSEARCH_TRANSPORT_PORT=19300
NEO4J_PORT=17687
NEO4J_TEST_PORT=17688

OPENSEARCH_VERSION=2.16.0
OPENSEARCH_LAYOUT="$OPENSEARCH_VERSION-icu-percolator"  # the version and the modules assembled with it: a change reassembles
OPENSEARCH_HEAP=${OPENSEARCH_HEAP:-1g}
NEO4J_HEAP=${NEO4J_HEAP:-768m}
NEO4J_PAGECACHE=${NEO4J_PAGECACHE:-512m}
NEO4J_PASSWORD=${NEO4J_PASSWORD:-marketplace-local}
SERVICE_USER=marketplace-svc    # PostgreSQL and OpenSearch refuse to run as root

JAVA17=/usr/lib/jvm/java-17-openjdk-amd64

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

pg_bin() { echo "/usr/lib/postgresql/15/bin/$1"; }
as_service_user() { runuser -u "$SERVICE_USER" -- "$@"; }

# --------------------------------------------------------------------------- install

install_apt() {
    local wanted=(postgresql-15 redis-server openjdk-17-jre-headless maven gettext chromium
                  fonts-noto-cjk curl unzip nodejs)
    local missing=()
    for package in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "Installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    id "$SERVICE_USER" >/dev/null 2>&1 \
        || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    ensure_traversable
}

ensure_traversable() {  # the service user must reach var/ even in a checkout under a private home
    mkdir -p "$VAR"
    local dir=$VAR
    until runuser -u "$SERVICE_USER" -- test -x "$VAR" 2>/dev/null; do
        [ "$dir" = / ] && die "$SERVICE_USER cannot reach $VAR; give the directories above it search permission (chmod o+x)."
        chmod o+x "$dir"  # search permission only: names can be followed, not listed
        dir=$(dirname "$dir")
    done
}

install_venv() {
    local stamp="$VENV/.requirements.sha"
    local want
    want=$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
    say "Installing Python packages into .venv"
    [ -x "$VENV/bin/python" ] || "$PYTHON_BIN" -m venv "$VENV"
    "$VENV/bin/pip" install -q --progress-bar on -r "$ROOT/requirements.txt"
    echo "$want" > "$stamp"
}

maven_copy() {  # pom, output directory, extra flags
    local pom=$1 out=$2; shift 2
    mvn -B -q -f "$pom" dependency:copy-dependencies -DoutputDirectory="$out" "$@" \
        || die "Maven could not resolve $(basename "$(dirname "$pom")") from Maven Central (see above)."
}

install_opensearch() {
    local home="$VAR/opensearch/home"
    [ -f "$home/.assembled-$OPENSEARCH_LAYOUT" ] && return
    stop_one opensearch  # a node running from the previous assembly restarts with this one
    say "Fetching OpenSearch $OPENSEARCH_VERSION and its analysis modules from Maven Central"
    local artifacts="$VAR/downloads/opensearch"
    rm -rf "$artifacts" "$home"
    mkdir -p "$artifacts"
    maven_copy "$ROOT/ops/opensearch/pom.xml" "$artifacts" -DexcludeTransitive=true
    local unpacked="$VAR/downloads/opensearch-unpacked"
    rm -rf "$unpacked" && mkdir -p "$unpacked"
    unzip -q "$artifacts/opensearch-$OPENSEARCH_VERSION.zip" -d "$unpacked"
    mkdir -p "$(dirname "$home")"
    mv "$unpacked/opensearch-$OPENSEARCH_VERSION" "$home"
    rm -rf "$unpacked"
    # The integration-test distribution carries only core + transport; each analysis module
    # is a folder with its jars and a descriptor, as the full distribution would have it.
    add_opensearch_plugin modules analysis-common org.opensearch.analysis.common.CommonAnalysisPlugin \
        "analysis-common-$OPENSEARCH_VERSION.jar"
    add_opensearch_plugin plugins analysis-kuromoji org.opensearch.plugin.analysis.kuromoji.AnalysisKuromojiPlugin \
        "analysis-kuromoji-$OPENSEARCH_VERSION.jar" lucene-analysis-kuromoji-*.jar
    add_opensearch_plugin plugins analysis-smartcn org.opensearch.plugin.analysis.smartcn.AnalysisSmartChinesePlugin \
        "analysis-smartcn-$OPENSEARCH_VERSION.jar" lucene-analysis-smartcn-*.jar
    add_opensearch_plugin plugins analysis-icu org.opensearch.plugin.analysis.icu.AnalysisICUPlugin \
        "analysis-icu-client-$OPENSEARCH_VERSION.jar" lucene-analysis-icu-*.jar icu4j-*.jar
    # saved searches are percolator queries (alerts/percolator.py)
    add_opensearch_plugin modules percolator org.opensearch.percolator.PercolatorPlugin \
        "percolator-client-$OPENSEARCH_VERSION.jar"
    touch "$home/.assembled-$OPENSEARCH_LAYOUT"
}

add_opensearch_plugin() {  # kind name classname jar...
    local kind=$1 name=$2 classname=$3; shift 3
    local dir="$VAR/opensearch/home/$kind/$name"
    mkdir -p "$dir"
    for pattern in "$@"; do
        # shellcheck disable=SC2086
        cp $VAR/downloads/opensearch/$pattern "$dir/"
    done
    cat > "$dir/plugin-descriptor.properties" <<EOF
description=$name
version=$OPENSEARCH_VERSION
name=$name
classname=$classname
java.version=11
opensearch.version=$OPENSEARCH_VERSION
extended.plugins=
has.native.controller=false
EOF
}

install_neo4j() {
    local lib="$VAR/neo4j/lib"
    [ -f "$lib/.complete" ] && return
    say "Fetching Neo4j Community server jars from Maven Central"
    rm -rf "$lib" && mkdir -p "$lib"
    maven_copy "$ROOT/ops/neo4j/pom.xml" "$lib"
    touch "$lib/.complete"
}

install_node_tools() {  # axe-core for the browser tests, Lighthouse for bench/lighthouse.py
    local dir="$VAR/node" stamp="$VAR/node/.lock.sha" want
    want=$(sha256sum "$ROOT/ops/node/package-lock.json" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
    command -v npm >/dev/null || die "npm is missing (Debian's nodejs from NodeSource brings it; else apt-get install npm)."
    say "Installing the page tools (axe-core, Lighthouse) from npm into var/node"
    mkdir -p "$dir"
    cp "$ROOT/ops/node/package.json" "$ROOT/ops/node/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm could not install ops/node/package.json."
    echo "$want" > "$stamp"
}

install_all() {
    install_apt
    install_venv
    install_opensearch
    install_neo4j
    install_node_tools
}

# --------------------------------------------------------------------------- per service

log_of() {
    case $1 in
        postgres) echo "$VAR/postgres/postgres.log" ;;
        redis) echo "$VAR/redis/redis.log" ;;
        opensearch) echo "$VAR/opensearch/logs/marketplace.log" ;;
        neo4j) echo "$VAR/neo4j/run/logs/neo4j.log" ;;
        neo4j-test) echo "$VAR/neo4j/test/logs/neo4j.log" ;;
    esac
}

port_of() {
    case $1 in
        postgres) echo $POSTGRES_PORT ;;
        redis) echo $REDIS_PORT ;;
        opensearch) echo $OPENSEARCH_PORT ;;
        neo4j) echo $NEO4J_PORT ;;
        neo4j-test) echo $NEO4J_TEST_PORT ;;
    esac
}

pid_of() {  # prints the pid if the service's process is alive
    local file
    case $1 in
        postgres) file="$VAR/postgres/data/postmaster.pid" ;;
        redis) file="$VAR/redis/redis.pid" ;;
        opensearch) file="$VAR/opensearch/run/opensearch.pid" ;;
        neo4j) file="$VAR/neo4j/run/neo4j.pid" ;;
        neo4j-test) file="$VAR/neo4j/test/neo4j.pid" ;;
    esac
    [ -f "$file" ] || return 1
    local pid
    pid=$(head -n1 "$file" | tr -d '[:space:]')
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

neo4j_answers() {
    "$VENV/bin/python" - "$1" "$NEO4J_PASSWORD" <<'PYTHON' 2>/dev/null
import sys
import neo4j
with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{sys.argv[1]}", auth=("neo4j", sys.argv[2]),
                                connection_timeout=5) as driver:
    driver.execute_query("RETURN 1")
PYTHON
}

healthy() {
    case $1 in
        postgres) "$(pg_bin pg_isready)" -q -h 127.0.0.1 -p $POSTGRES_PORT ;;
        redis) [ "$(redis-cli -p $REDIS_PORT ping 2>/dev/null)" = PONG ] ;;
        opensearch) curl -fs -m 2 "http://127.0.0.1:$OPENSEARCH_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null ;;
        # An open Bolt port is not yet a server that answers: its first query loads the Cypher
        # planner (about 2 s here). Ready means a query came back, so nothing after start pays that.
        neo4j|neo4j-test) port_open "$(port_of "$1")" && neo4j_answers "$(port_of "$1")" ;;
    esac
}

start_postgres() {
    local data="$VAR/postgres/data"
    mkdir -p "$VAR/postgres"
    chown "$SERVICE_USER" "$VAR/postgres"
    if [ ! -f "$data/PG_VERSION" ]; then
        as_service_user "$(pg_bin initdb)" -D "$data" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null
        cat >> "$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = ''
max_connections = 300
shared_buffers = 512MB
fsync = on
EOF
    fi
    as_service_user "$(pg_bin pg_ctl)" -D "$data" -l "$(log_of postgres)" -w -t 60 start >/dev/null
}

start_redis() {
    mkdir -p "$VAR/redis"
    redis-server --bind 127.0.0.1 --port $REDIS_PORT --dir "$VAR/redis" --daemonize yes \
        --pidfile "$VAR/redis/redis.pid" --logfile "$(log_of redis)" --appendonly yes \
        --save "" --maxclients 20000
}

start_opensearch() {
    local base="$VAR/opensearch"
    mkdir -p "$base/data" "$base/logs" "$base/run" "$base/tmp"
    cat > "$base/home/config/opensearch.yml" <<EOF
cluster.name: marketplace
node.name: local
path.data: $base/data
path.logs: $base/logs
network.host: 127.0.0.1
http.port: $OPENSEARCH_PORT
transport.port: $OPENSEARCH_TRANSPORT_PORT
discovery.type: single-node
action.auto_create_index: false
cluster.routing.allocation.disk.threshold_enabled: false
EOF
    chown -R "$SERVICE_USER" "$base"
    as_service_user env JAVA_HOME="$JAVA17" OPENSEARCH_TMPDIR="$base/tmp" \
        OPENSEARCH_JAVA_OPTS="-Xms$OPENSEARCH_HEAP -Xmx$OPENSEARCH_HEAP" \
        "$base/home/bin/opensearch" -d -p "$base/run/opensearch.pid" \
        > "$base/logs/startup.out" 2>&1
}

start_neo4j() {  # service name, instance folder, port
    local name=$1 instance="$VAR/neo4j/$2" port=$3
    mkdir -p "$instance/conf" "$instance/data" "$instance/logs"
    cat > "$instance/conf/neo4j.conf" <<EOF
server.default_listen_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:$port
server.http.enabled=false
server.https.enabled=false
server.directories.data=$instance/data
server.directories.logs=$instance/logs
server.memory.heap.initial_size=$NEO4J_HEAP
server.memory.heap.max_size=$NEO4J_HEAP
server.memory.pagecache.size=$NEO4J_PAGECACHE
dbms.usage_report.enabled=false
db.tx_log.rotation.retention_policy=1 files
EOF
    local classpath="$VAR/neo4j/lib/*"
    if [ ! -f "$instance/data/dbms/auth.ini" ]; then
        NEO4J_HOME="$instance" NEO4J_CONF="$instance/conf" "$JAVA17/bin/java" -cp "$classpath" \
            org.neo4j.cli.AdminTool dbms set-initial-password "$NEO4J_PASSWORD" \
            > "$instance/logs/set-password.out" 2>&1 \
            || die "$name: could not set the initial password (see $instance/logs/set-password.out)"
    fi
    nohup "$JAVA17/bin/java" "-Xms$NEO4J_HEAP" "-Xmx$NEO4J_HEAP" -XX:+UseG1GC \
        -Dfile.encoding=UTF-8 -cp "$classpath" org.neo4j.server.CommunityEntryPoint \
        --home-dir="$instance" --config-dir="$instance/conf" \
        > "$instance/logs/neo4j.log" 2>&1 < /dev/null &
    echo $! > "$instance/neo4j.pid"
}

start_one() {
    local name=$1
    if pid_of "$name" >/dev/null; then return; fi
    if port_open "$(port_of "$name")"; then
        die "$name: port $(port_of "$name") on 127.0.0.1 is taken by another process. Stop it (see 'ss -ltnp') and run make again."
    fi
    case $name in
        postgres) start_postgres ;;
        redis) start_redis ;;
        opensearch) start_opensearch ;;
        neo4j) start_neo4j neo4j run $NEO4J_PORT ;;
        neo4j-test) start_neo4j neo4j-test test $NEO4J_TEST_PORT ;;
        *) die "unknown service '$name'" ;;
    esac
}

wait_healthy() {
    local name=$1 deadline=$((SECONDS + 120)) grace=$((SECONDS + 20))
    until healthy "$name"; do
        # A process that is gone (after its pid file had time to appear) will not recover.
        if { [ $SECONDS -ge $grace ] && ! pid_of "$name" >/dev/null; } || [ $SECONDS -ge $deadline ]; then
            echo "---- last lines of $(log_of "$name") ----" >&2
            tail -n 25 "$(log_of "$name")" 2>/dev/null >&2 || true
            die "$name did not become healthy on port $(port_of "$name"). Read the log above; 'make stop && make run' retries, 'make clean' starts from empty data."
        fi
        sleep 0.5
    done
}

start_services() {
    for name in "$@"; do start_one "$name"; done
    for name in "$@"; do wait_healthy "$name"; printf '  %-11s up on 127.0.0.1:%s\n' "$name" "$(port_of "$name")"; done
}

stop_one() {
    local name=$1 pid
    pid=$(pid_of "$name") || return 0
    case $name in
        postgres) as_service_user "$(pg_bin pg_ctl)" -D "$VAR/postgres/data" -m fast -w stop >/dev/null ;;
        *) kill "$pid"
           for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
           kill -9 "$pid" 2>/dev/null || true ;;
    esac
    echo "  $name stopped"
}

status() {
    printf '%-11s %-5s %-6s %-8s %s\n' SERVICE STATE PORT PID LOG
    for name in postgres redis opensearch neo4j neo4j-test; do
        local pid state
        if pid=$(pid_of "$name"); then state=up; else state=down; pid=-; fi
        printf '%-11s %-5s %-6s %-8s %s\n' "$name" "$state" "$(port_of "$name")" "$pid" "$(log_of "$name")"
    done
}

createdb_if_missing() {
    local name=$1
    if ! psql -h 127.0.0.1 -p $POSTGRES_PORT -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$name'" \
            | grep -q 1; then
        psql -h 127.0.0.1 -p $POSTGRES_PORT -U postgres -qc "CREATE DATABASE \"$name\"" >/dev/null
    fi
}

ALL=(postgres redis opensearch neo4j neo4j-test)
command=${1:-status}; shift || true
case $command in
    install) install_all ;;
    start) start_services "$@" ;;
    stop) if [ $# -eq 0 ]; then set -- "${ALL[@]}"; fi; for name in "$@"; do stop_one "$name"; done ;;
    status) status ;;
    createdb) createdb_if_missing "$1" ;;
    *) die "usage: ops/stack.sh install|start SERVICE...|stop [SERVICE...]|status" ;;
esac
