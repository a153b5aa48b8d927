# shellcheck shell=bash
#
# Shared helpers for scripts/run, scripts/test and scripts/smoke. Source it, don't run it.
#
# PostgreSQL clusters made here are private to one directory: they listen on 127.0.0.1 only, on a port
# of our choosing, with the Unix socket inside the data directory, so they never collide with each
# other or with a system cluster on 5432 (which we never touch).
#
# initdb/postgres/pg_ctl refuse to run as root: as root we run them as the owner of the data directory
# (the `postgres` system user for a new one, override with PG_OS_USER); as anybody else, as ourselves.
#
# Settings (environment, all optional):
#   PG_SUPERUSER   name of the bootstrap superuser role of new clusters (default: postgres)
#   PG_OS_USER     system user that owns clusters when we are root (default: postgres)
#   PG_BINDIR      directory holding initdb/pg_ctl/postgres (default: found, see pg_find_bindir)

: "${PG_SUPERUSER:=postgres}"
: "${PG_OS_USER:=postgres}"

pg_log() { printf '%s\n' "$*" >&2; }
pg_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

pg_is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Absolute path of $1 (which need not exist).
pg_abspath() {
    local p=$1
    case $p in
        /*) ;;
        *) p="$PWD/$p" ;;
    esac
    if [[ -d "$(dirname "$p")" ]]; then
        printf '%s/%s\n' "$(cd "$(dirname "$p")" && pwd -P)" "$(basename "$p")"
    else
        printf '%s\n' "$p"
    fi
}

# Single-quotes $1 for a POSIX shell.
_pg_shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# ---------------------------------------------------------------------------------------------------
# Finding (and if need be installing) PostgreSQL

_pg_bindir_ok() { [[ -n "$1" && -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/postgres" ]]; }

# Sets PG_BINDIR to a directory with the server binaries. Returns 1 when there is none.
# Order: $PG_BINDIR, `pg_config --bindir`, the newest /usr/lib/postgresql/*/bin (Debian, Ubuntu),
# Homebrew, then initdb on PATH.
pg_find_bindir() {
    if _pg_bindir_ok "${PG_BINDIR:-}"; then return 0; fi
    local candidates=() d
    if command -v pg_config >/dev/null 2>&1; then
        candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    while IFS= read -r d; do candidates+=("$d"); done < <(
        printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -n -r
        printf '%s\n' /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin | sort -r
    )
    if command -v initdb >/dev/null 2>&1; then
        candidates+=("$(dirname "$(command -v initdb)")")
    fi
    for d in "${candidates[@]}"; do
        if _pg_bindir_ok "$d"; then PG_BINDIR=$d; export PG_BINDIR; return 0; fi
    done
    return 1
}

# Makes sure the server binaries exist: installs the Debian package when root, otherwise explains
# what to install and exits 1.
pg_ensure_installed() {
    if pg_find_bindir; then return 0; fi
    if pg_is_root && command -v apt-get >/dev/null 2>&1; then
        pg_log "PostgreSQL server binaries not found; installing the Debian package 'postgresql'..."
        if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
                && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }; then
            pg_die "apt-get install postgresql failed"
        fi
        pg_find_bindir || pg_die "installed 'postgresql' but still cannot find initdb/pg_ctl/postgres"
        return 0
    fi
    cat >&2 <<'EOF'
error: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found.
Install PostgreSQL 15 or newer, for example:
  Debian/Ubuntu:  sudo apt-get install -y postgresql      (binaries land in /usr/lib/postgresql/<ver>/bin)
  Fedora/RHEL:    sudo dnf install -y postgresql-server
  macOS:          brew install postgresql@15
or point PG_BINDIR at the directory containing initdb, or set DATABASE_URL to an existing server.
EOF
    exit 1
}

# psql, from the server bin dir if we have one, else from PATH. Prints its path.
pg_psql_bin() {
    if pg_find_bindir && [[ -x "$PG_BINDIR/psql" ]]; then
        printf '%s\n' "$PG_BINDIR/psql"
    elif command -v psql >/dev/null 2>&1; then
        command -v psql
    else
        pg_die "psql not found (Debian: apt-get install -y postgresql-client)"
    fi
}

_pg_isready_bin() {
    if pg_find_bindir && [[ -x "$PG_BINDIR/pg_isready" ]]; then
        printf '%s\n' "$PG_BINDIR/pg_isready"
    elif command -v pg_isready >/dev/null 2>&1; then
        command -v pg_isready
    fi
}

# ---------------------------------------------------------------------------------------------------
# Running server commands as the right user

# The system user who owns (or will own) cluster directory $1.
_pg_owner_of() {
    local dir=$1 owner=""
    if [[ -e "$dir" ]]; then
        owner=$(stat -c %U "$dir" 2>/dev/null || stat -f %Su "$dir" 2>/dev/null || true)
    fi
    if pg_is_root; then
        if [[ -z "$owner" || "$owner" == root || "$owner" == UNKNOWN ]]; then owner=$PG_OS_USER; fi
    else
        owner=$(id -un)
    fi
    printf '%s\n' "$owner"
}

# Runs "$@" as system user $1, from / so that an unreadable current directory does not matter.
_pg_run_as() {
    local user=$1; shift
    if [[ "$user" == "$(id -un)" ]]; then
        (cd / && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u "$user" -- "$@")
    elif command -v sudo >/dev/null 2>&1; then
        (cd / && sudo -u "$user" -- "$@")
    else
        local cmd
        cmd=$(printf '%q ' "$@")
        (cd / && su -s /bin/sh "$user" -c "$cmd")
    fi
}

# Makes sure user $1 exists (root only: creates the `postgres` system user if the package did not).
_pg_ensure_os_user() {
    local user=$1
    id -u "$user" >/dev/null 2>&1 && return 0
    pg_is_root || pg_die "system user '$user' does not exist"
    pg_log "creating system user '$user'"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
        --shell /bin/bash "$user" || pg_die "cannot create system user '$user'"
}

# As root: lets user $1 reach directory $2 by adding o+x to every parent that it cannot traverse.
_pg_make_traversable() {
    local user=$1 dir=$2 d
    pg_is_root || return 0
    d=$(dirname "$dir")
    while [[ "$d" != / ]]; do
        if ! _pg_run_as "$user" test -x "$d" 2>/dev/null; then
            pg_log "note: chmod o+x $d (so that '$user' can reach $dir)"
            chmod o+x "$d"
        fi
        d=$(dirname "$d")
    done
}

# ---------------------------------------------------------------------------------------------------
# Clusters

# pg_cluster_init DIR [initdb options...]
# Creates a cluster in DIR (nothing happens if DIR already holds one): UTF8, C locale, trust auth for
# local and 127.0.0.1/::1 connections, bootstrap superuser $PG_SUPERUSER. Extra options go to initdb
# (e.g. --no-sync for throwaway clusters).
pg_cluster_init() {
    local dir owner out
    [[ $# -ge 1 ]] || pg_die "usage: pg_cluster_init DIR [initdb options]"
    mkdir -p "$(dirname "$1")"
    dir=$(pg_abspath "$1"); shift
    pg_ensure_installed
    if [[ -f "$dir/PG_VERSION" ]]; then
        return 0
    fi
    if [[ -d "$dir" ]] && [[ -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
        pg_die "$dir exists, is not empty and is not a PostgreSQL cluster"
    fi
    owner=$(_pg_owner_of "$dir")
    mkdir -p "$dir"
    if pg_is_root; then
        _pg_ensure_os_user "$owner"
        chown "$owner:" "$dir" 2>/dev/null || chown "$owner" "$dir"
        _pg_make_traversable "$owner" "$dir"
    fi
    chmod 700 "$dir"
    if ! out=$(_pg_run_as "$owner" "$PG_BINDIR/initdb" -D "$dir" -U "$PG_SUPERUSER" \
            --auth=trust --encoding=UTF8 --locale=C "$@" 2>&1); then
        printf '%s\n' "$out" >&2
        pg_die "initdb failed for $dir"
    fi
}

# pg_cluster_running DIR: true when a postmaster is running on DIR.
pg_cluster_running() {
    local dir
    dir=$(pg_abspath "$1")
    [[ -f "$dir/postmaster.pid" ]] || return 1
    pg_find_bindir || return 1
    _pg_run_as "$(_pg_owner_of "$dir")" "$PG_BINDIR/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

# pg_cluster_port DIR: port of the running postmaster on DIR (line 4 of postmaster.pid).
pg_cluster_port() {
    local dir
    dir=$(pg_abspath "$1")
    sed -n 4p "$dir/postmaster.pid" 2>/dev/null
}

# pg_wait_ready PORT [SECONDS]: waits until a server accepts connections on 127.0.0.1:PORT.
pg_wait_ready() {
    local port=$1 timeout=${2:-30} isready i
    isready=$(_pg_isready_bin)
    for ((i = 0; i < timeout * 5; i++)); do
        if [[ -n "$isready" ]]; then
            "$isready" -q -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres -t 2 && return 0
        else
            "$(pg_psql_bin)" -X -q -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres \
                -c 'select 1' >/dev/null 2>&1 && return 0
        fi
        sleep 0.2
    done
    return 1
}

# pg_cluster_tls DIR CERTDIR
# Gives the cluster in DIR a server certificate for "localhost" signed by a throwaway CA (CERTDIR/ca.crt), and a
# second, unrelated CA (CERTDIR/other-ca.crt) to test a wrong root with, and from the first CA a certificate for
# "partner.test" (CERTDIR/partner.crt, partner.key) for the outbound tests. Start the cluster with `-c ssl=on`.
pg_cluster_tls() {
    local dir=$1 certs=$2 owner
    ensure_command openssl openssl || return 1
    mkdir -p "$certs" || return 1
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -days 2 -subj /CN=custodian-test-ca -keyout "$certs/ca.key" -out "$certs/ca.crt" 2>/dev/null \
        && openssl req -x509 "${ec[@]}" -days 2 -subj /CN=unrelated-ca -keyout "$certs/other-ca.key" -out "$certs/other-ca.crt" 2>/dev/null \
        && openssl req "${ec[@]}" -subj /CN=localhost -keyout "$dir/server.key" -out "$certs/server.csr" 2>/dev/null \
        && printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$certs/server.ext" \
        && openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial -days 2 \
            -extfile "$certs/server.ext" -out "$dir/server.crt" 2>/dev/null \
        || { pg_log "could not make the test certificates"; return 1; }
    # A partner's certificate from the same CA, for the outbound TLS tests (DNS pinning keeps the name verified).
    openssl req "${ec[@]}" -subj /CN=partner.test -keyout "$certs/partner.key" -out "$certs/partner.csr" 2>/dev/null \
        && printf 'subjectAltName=DNS:partner.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$certs/partner.ext" \
        && openssl x509 -req -in "$certs/partner.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial -days 2 \
            -extfile "$certs/partner.ext" -out "$certs/partner.crt" 2>/dev/null \
        || { pg_log "could not make the partner's test certificate"; return 1; }
    owner=$(_pg_owner_of "$dir")
    chmod 600 "$dir/server.key"
    if pg_is_root; then chown "$owner" "$dir/server.key" "$dir/server.crt"; chmod a+r "$certs"/*.crt; chmod a+rx "$certs"; fi
}

# pg_cluster_start DIR PORT [postgres options...]
# Starts the cluster in DIR on 127.0.0.1:PORT with its Unix socket in DIR, logging to DIR/postgres.log,
# and waits until it accepts connections. Extra arguments are postgres options (e.g. -c fsync=off).
pg_cluster_start() {
    local dir port owner opts sockdir arg
    [[ $# -ge 2 ]] || pg_die "usage: pg_cluster_start DIR PORT [postgres options]"
    dir=$(pg_abspath "$1"); port=$2; shift 2
    pg_ensure_installed
    [[ -f "$dir/PG_VERSION" ]] || pg_die "$dir is not a PostgreSQL cluster (run pg_cluster_init first)"
    owner=$(_pg_owner_of "$dir")
    if pg_is_root; then _pg_make_traversable "$owner" "$dir"; fi
    # Unix socket paths are limited to ~107 bytes: with a long DIR, go without a socket (TCP only).
    sockdir=$dir
    if (( ${#dir} + 20 > 100 )); then
        pg_log "note: $dir is too long for a Unix socket path; the cluster listens on TCP only"
        sockdir=""
    fi
    # pg_ctl hands -o to a shell: single-quote everything.
    opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$(_pg_shq "$sockdir")"
    for arg in "$@"; do opts+=" $(_pg_shq "$arg")"; done
    if ! _pg_run_as "$owner" "$PG_BINDIR/pg_ctl" -D "$dir" -l "$dir/postgres.log" -w -t 60 \
            -o "$opts" start >/dev/null 2>&1; then
        pg_log "PostgreSQL failed to start; last lines of $dir/postgres.log:"
        tail -n 30 "$dir/postgres.log" >&2 2>/dev/null || true
        return 1
    fi
    if ! pg_wait_ready "$port" 30; then
        pg_log "PostgreSQL on port $port is not accepting connections; last lines of $dir/postgres.log:"
        tail -n 30 "$dir/postgres.log" >&2 2>/dev/null || true
        return 1
    fi
}

# pg_cluster_stop DIR: fast shutdown (immediate if that fails). Does nothing if it is not running.
pg_cluster_stop() {
    local dir owner
    dir=$(pg_abspath "$1")
    [[ -f "$dir/postmaster.pid" ]] || return 0
    pg_find_bindir || return 0
    owner=$(_pg_owner_of "$dir")
    _pg_run_as "$owner" "$PG_BINDIR/pg_ctl" -D "$dir" status >/dev/null 2>&1 || return 0
    if ! _pg_run_as "$owner" "$PG_BINDIR/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null 2>&1; then
        pg_log "fast shutdown of $dir failed; trying immediate"
        _pg_run_as "$owner" "$PG_BINDIR/pg_ctl" -D "$dir" -m immediate -w -t 30 stop >/dev/null 2>&1
    fi
}

# pg_cluster_destroy DIR: stops the cluster and deletes DIR.
pg_cluster_destroy() {
    local dir
    dir=$(pg_abspath "$1")
    [[ "$dir" != / && -n "$dir" ]] || return 1
    pg_cluster_stop "$dir" || true
    rm -rf "$dir"
}

# ---------------------------------------------------------------------------------------------------
# Roles and databases (connecting as $PG_SUPERUSER over TCP to 127.0.0.1)

# pg_psql PORT [psql args...]: psql as the superuser to database postgres, stopping on the first error.
pg_psql() {
    local port=$1; shift
    "$(pg_psql_bin)" -X -q -P pager=off -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres "$@"
}

# pg_create_role PORT ROLE [attributes...]: creates a LOGIN role unless it exists (e.g. CREATEDB).
pg_create_role() {
    local port=$1 role=$2; shift 2
    local attrs="LOGIN ${*:-}"
    pg_psql "$port" -v role="$role" <<SQL
SELECT format('CREATE ROLE %I $attrs', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SQL
}

# pg_create_database PORT DB [OWNER]: creates a UTF8 database unless it exists.
pg_create_database() {
    local port=$1 db=$2 owner=${3:-$PG_SUPERUSER}
    pg_psql "$port" -v db="$db" -v owner="$owner" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'db', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}

# pg_url_with URL USER DB: URL with USER (no password) and database DB; host, port and query string kept.
pg_url_with() {
    local url=$1 user=$2 db=$3
    [[ "$url" =~ ^(postgres(ql)?://)([^@/?]*@)?([^/?]*)(/[^?]*)?(\?.*)?$ ]] || return 1
    printf '%s%s@%s/%s%s\n' "${BASH_REMATCH[1]}" "$user" "${BASH_REMATCH[4]}" "$db" "${BASH_REMATCH[6]}"
}

# The two roles of a deployment: the owner of the tables, which `custodian migrate` runs as, and the application
# role `serve` and `work` connect as, which may only read and write rows (it owns nothing).
PG_OWNER_ROLE=custodian
PG_APP_ROLE=custodian_app

# pg_app_database ADMIN_URL DB: as ADMIN_URL's role (one that may create roles and databases), creates the LOGIN roles
# $PG_OWNER_ROLE and $PG_APP_ROLE unless they exist and the database DB owned by $PG_OWNER_ROLE; exports
# MIGRATION_DATABASE_URL (the owner) and DATABASE_URL (the application role) for DB on ADMIN_URL's server.
pg_app_database() {
    local admin=$1 db=$2
    "$(pg_psql_bin)" -X -q -v ON_ERROR_STOP=1 -v db="$db" -v owner="$PG_OWNER_ROLE" -v app="$PG_APP_ROLE" "$admin" <<'SQL' || return 1
SELECT format('CREATE ROLE %I LOGIN', r) FROM unnest(ARRAY[:'owner', :'app']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner') \gexec
SQL
    MIGRATION_DATABASE_URL=$(pg_url_with "$admin" "$PG_OWNER_ROLE" "$db") || return 1
    DATABASE_URL=$(pg_url_with "$admin" "$PG_APP_ROLE" "$db") || return 1
    export MIGRATION_DATABASE_URL DATABASE_URL
}

# ensure_command CMD DEBIAN_PACKAGE: makes sure CMD exists, installing the package when root on Debian.
ensure_command() {
    local cmd=$1 pkg=$2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    if pg_is_root && command -v apt-get >/dev/null 2>&1; then
        pg_log "$cmd not found; installing the Debian package '$pkg'..."
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2 \
            || { DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
                 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2; }; then
            command -v "$cmd" >/dev/null 2>&1 && return 0
        fi
    fi
    pg_die "$cmd not found (Debian/Ubuntu: apt-get install -y $pkg)"
}

# ---------------------------------------------------------------------------------------------------
# Ports and processes

# pg_port_in_use PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
pg_port_in_use() {
    local port=$1
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# free_port: prints a TCP port that is free on 127.0.0.1.
free_port() {
    local port i
    if command -v python3 >/dev/null 2>&1; then
        port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null) || port=""
        if [[ -n "$port" ]] && ! pg_port_in_use "$port"; then
            printf '%s\n' "$port"; return 0
        fi
    fi
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        if ! pg_port_in_use "$port"; then
            printf '%s\n' "$port"; return 0
        fi
    done
    pg_die "cannot find a free TCP port on 127.0.0.1"
}

# proc_alive PID: true while PID runs (a zombie, i.e. an exited child not yet waited for, is not alive). No state
# read means the process is gone: bash may reap an exited child between `kill -0` and the read.
proc_alive() {
    local pid=$1 state
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/stat" ]]; then
        state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
    else
        state=$(ps -o stat= -p "$pid" 2>/dev/null)
    fi
    [[ -n "$state" && "$state" != Z* && "$state" != X* ]]
}

# wait_exit PID SECONDS: waits up to SECONDS for child PID to exit, then SIGKILLs it.
# Returns the child's exit status (137 when it had to be killed); sets WAIT_EXIT_KILLED=1 in that case.
wait_exit() {
    local pid=$1 timeout=$2 i rc=0
    # shellcheck disable=SC2034 # read by the scripts that source this file
    WAIT_EXIT_KILLED=0
    for ((i = 0; i < timeout * 10; i++)); do
        proc_alive "$pid" || break
        sleep 0.1
    done
    if proc_alive "$pid"; then
        # shellcheck disable=SC2034
        WAIT_EXIT_KILLED=1
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || rc=$?
    return "$rc"
}
