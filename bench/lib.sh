# Helpers shared by the benchmark scripts (sourced after scripts/lib/postgres.sh). They use and set the caller's
# globals: PSQL (psql binary), BIN (the custodian binary), PG_DURABLE, PG_SHARED_BUFFERS (256MB when unset), and
# TMP_ROOT, PG_DIR, PG_PORT, PG_OPTIONS,
# PG_VERSION (set by start_cluster), MISSED (set by verdict), KEY, KEY_LOOKUP, KEY_ID (set by create_dpo_key),
# API_PORT, SERVE_PID (set by start_serve; DB_MAX_CONNECTIONS, when set, sizes its pool).

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# stop_process PID NAME SECONDS: SIGTERM, then SIGKILL after SECONDS. Returns the exit status.
stop_process() {
    local pid=$1 name=$2 timeout=$3 rc=0
    [[ -n "$pid" ]] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    wait_exit "$pid" "$timeout" || rc=$?
    if [[ "$WAIT_EXIT_KILLED" == 1 ]]; then warn "$name did not stop within ${timeout}s; killed it"; fi
    return "$rc"
}

# db_url DB: the URL of DB on the bench cluster, over TCP to 127.0.0.1, or through the cluster's Unix socket when
# BENCH_DB_SOCKET=1 (for serve, pgbench and psql alike; require_socket checks there is one).
db_url() {
    local socket=""
    if [[ "${BENCH_DB_SOCKET:-0}" == 1 ]]; then socket="&host=$PG_DIR"; fi
    printf 'postgres://%s@127.0.0.1:%s/%s?sslmode=disable%s\n' "$PG_SUPERUSER" "$PG_PORT" "$1" "$socket"
}

# require_socket: stops the run unless the cluster has a Unix socket that a URL can name (start_cluster makes none when
# its directory's path is too long).
require_socket() {
    [[ -S "$PG_DIR/.s.PGSQL.$PG_PORT" && "$PG_DIR" =~ ^/[A-Za-z0-9/_.-]+$ ]] \
        || die "PostgreSQL in $PG_DIR has no Unix socket a URL can name; use a shorter TMPDIR"
}

# q DB [psql args...]: psql on database DB, unaligned, tuples only, stopping at the first error.
q() {
    local db=$1; shift
    "$PSQL" -X -q -At -P pager=off -v ON_ERROR_STOP=1 "$(db_url "$db")" "$@"
}

# calc EXPR: floating-point arithmetic (awk), printed with up to 6 significant digits.
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

# cpu_seconds PID: user + system CPU of PID and of its reaped children, in seconds (0 when PID is gone).
# In /proc/PID/stat, after the ") " that ends the command name, fields 12-15 are utime, stime, cutime, cstime.
cpu_seconds() {
    { cat "/proc/$1/stat" 2>/dev/null || true; } | awk -v hz="$(getconf CLK_TCK)" '
        { sub(/^.*\) /, ""); total = $12 + $13 + $14 + $15 } END { printf "%.2f", total / hz }'
}

# postgres_cpu_seconds: CPU of the whole cluster: the postmaster with its exited (reaped) backends, plus its live
# children (field 2 after the command name is the parent pid).
postgres_cpu_seconds() {
    local postmaster
    postmaster=$(head -n 1 "$PG_DIR/postmaster.pid" 2>/dev/null) || { printf '0'; return 0; }
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$postmaster" -v hz="$(getconf CLK_TCK)" '
        { pid = $1; sub(/^.*\) /, "")
          if (pid == pm) total += $12 + $13 + $14 + $15
          else if ($2 == pm) total += $12 + $13 }
        END { printf "%.2f", total / hz }'
}

# wait_until SECONDS DESCRIPTION COMMAND...: retries COMMAND every 0.2 s until it succeeds or SECONDS pass.
wait_until() {
    local timeout=$1 what=$2 i; shift 2
    for ((i = 0; i < timeout * 5; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    die "timed out after ${timeout}s waiting for $what"
}

# start_cluster: a throwaway cluster in a new temp dir on a free port; without PG_DURABLE=1, fsync,
# synchronous_commit and full_page_writes are off (the figures measure CPU, not this VM's disk).
start_cluster() {
    local options=(-c max_connections=200 -c "shared_buffers=${PG_SHARED_BUFFERS:-256MB}")
    if [[ "$PG_DURABLE" != 1 ]]; then
        options+=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
    fi
    TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/custodian-bench.XXXXXX")
    personal_data_keys "$TMP_ROOT"
    PG_DIR="$TMP_ROOT/pg"
    PG_PORT=$(free_port)
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT in $PG_DIR (${options[*]})"
    pg_cluster_init "$PG_DIR" --no-sync
    pg_cluster_start "$PG_DIR" "$PG_PORT" "${options[@]}" || die "PostgreSQL did not start"
    PG_OPTIONS="${options[*]}"
    PG_VERSION=$(q postgres -c 'SHOW server_version')
}

# create_database NAME: a database migrated by the binary under test.
create_database() {
    pg_create_database "$PG_PORT" "$1"
    DATABASE_URL=$(db_url "$1") CUSTODIAN_LOG_LEVEL=warning \
        timeout 120 "$BIN" migrate --migrations-dir "$REPO_ROOT/Migrations" >&2
}

# verdict VAR CONDITION: VAR = met or MISSED (and MISSED=1), CONDITION evaluated by awk.
verdict() {
    if awk "BEGIN { exit !($2) }"; then printf -v "$1" 'met'; else printf -v "$1" 'MISSED'; MISSED=1; fi
}

row() { printf '%-30s %s\n' "$1" "$2"; }

# create_dpo_key DB: a dpo-scope API key made by the binary under test: KEY (the bearer token), KEY_LOOKUP, KEY_ID.
create_dpo_key() {
    KEY=$(DATABASE_URL=$(db_url "$1") CUSTODIAN_LOG_LEVEL=warning "$BIN" keys create --name bench --scope dpo 2>/dev/null | tail -n 1)
    [[ "$KEY" =~ ^cus_([0-9a-f]{16})_ ]] || die "could not create an API key"
    KEY_LOOKUP=${BASH_REMATCH[1]}
    KEY_ID=$(q "$1" -c "SELECT id FROM api_keys WHERE lookup_id = '$KEY_LOOKUP'")
}

# start_serve DB: `custodian serve` on DB and a free port, no rate limit, logging to SERVE_LOG ($TMP_ROOT/serve.log);
# waits until ready.
start_serve() {
    API_PORT=$(free_port)
    local pool=()
    if [[ -n "${DB_MAX_CONNECTIONS:-}" ]]; then pool=(CUSTODIAN_DB_MAX_CONNECTIONS="$DB_MAX_CONNECTIONS"); fi
    env DATABASE_URL="$(db_url "$1")" CUSTODIAN_PORT="$API_PORT" CUSTODIAN_RATE_LIMIT_PER_MINUTE=0 CUSTODIAN_LOG_LEVEL=warning \
        "${pool[@]}" "$BIN" serve >"${SERVE_LOG:-$TMP_ROOT/serve.log}" 2>&1 &
    SERVE_PID=$!
    wait_until 60 "the API" curl -fs --max-time 2 "http://127.0.0.1:$API_PORT/health/ready"
}

# find_pgbench: PGBENCH = the cluster's pgbench (PG_BINDIR, set by pg_ensure_installed), else one on the PATH.
find_pgbench() {
    if [[ -x "$PG_BINDIR/pgbench" ]]; then PGBENCH="$PG_BINDIR/pgbench"
    elif command -v pgbench >/dev/null 2>&1; then PGBENCH=$(command -v pgbench)
    else die "pgbench not found (Debian: apt-get install -y postgresql-contrib, or the postgresql package)"; fi
}

# pgbench_protocol FILE: the protocol a bench/sql script names on its `-- pgbench-protocol:` line (the one the API
# uses for that SQL), else extended.
pgbench_protocol() {
    local protocol
    protocol=$(sed -n 's/^-- pgbench-protocol: *\([a-z]*\).*/\1/p' "$1")
    printf '%s' "${protocol:-extended}"
}

# build_custodian: BIN = CUSTODIAN_BIN when set, else a release build of custodian made here.
build_custodian() {
    if [[ -n "${CUSTODIAN_BIN:-}" ]]; then
        BIN=$CUSTODIAN_BIN
        say "using the prebuilt binary $BIN (make sure it is a release build)"
    else
        say "building: swift build -c release --product custodian"
        timeout "${BENCH_BUILD_TIMEOUT:-3600}" swift build -c release --product custodian >&2
        BIN="$(swift build -c release --show-bin-path)/custodian"
    fi
    [[ -x "$BIN" ]] || die "no executable at $BIN"
}

# find_partnersim: SIM_BIN = PARTNERSIM_BIN, else `partnersim` beside $BIN, else a release build of it.
find_partnersim() {
    SIM_BIN=${PARTNERSIM_BIN:-$(dirname "$BIN")/partnersim}
    if [[ -z "${PARTNERSIM_BIN:-}" && ! -x "$SIM_BIN" ]]; then
        say "no partnersim beside $BIN: swift build -c release --product partnersim"
        timeout "${BENCH_BUILD_TIMEOUT:-3600}" swift build -c release --product partnersim >&2
        SIM_BIN="$(swift build -c release --show-bin-path)/partnersim"
    fi
    [[ -x "$SIM_BIN" ]] || die "no executable at $SIM_BIN"
}

# start_partnersim: PartnerSim ($SIM_BIN) on a free port with a fresh secret (SIM_PORT, SIM_SECRET, SIM_PID), logging to
# $TMP_ROOT/partnersim.log; waits until it answers.
start_partnersim() {
    SIM_SECRET="whsec_$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
    SIM_PORT=$(free_port)
    say "starting PartnerSim on 127.0.0.1:$SIM_PORT"
    CUSTODIAN_LOG_LEVEL=${CUSTODIAN_LOG_LEVEL:-info} \
        "$SIM_BIN" --port "$SIM_PORT" --secret "$SIM_SECRET" >"$TMP_ROOT/partnersim.log" 2>&1 &
    SIM_PID=$!
    wait_until 30 "PartnerSim to answer" curl -fsS --max-time 2 "http://127.0.0.1:$SIM_PORT/_received"
}

# cleanup_serve_and_cluster: the EXIT trap of the scripts that run `custodian serve` (start_serve) on their own
# cluster (start_cluster): the serve log's tail when the run failed, then serve, the cluster and the temp dir gone.
# A caller's own trap passes the exit status it was called with.
cleanup_serve_and_cluster() {
    local rc=${1:-$?}
    trap '' INT TERM
    if [[ "$rc" -ne 0 && "$rc" -ne 3 && -s "$TMP_ROOT/serve.log" ]]; then tail -n 20 "$TMP_ROOT/serve.log" >&2; fi
    stop_process "$SERVE_PID" serve 20 || true
    if [[ -n "$PG_DIR" ]]; then pg_cluster_stop "$PG_DIR" || true; fi
    if [[ -n "$TMP_ROOT" ]]; then rm -rf "$TMP_ROOT"; fi
}
