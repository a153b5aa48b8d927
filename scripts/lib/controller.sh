# The operator's details for a local run: `custodian serve` and `custodian work` refuse to start without them, since
# every destruction act names the operator and its responsible person (RKN Order No. 179). Values already set win.
# Sourced by scripts/run and by every phase of scripts/test that starts the server or the worker.
export CUSTODIAN_CONTROLLER_NAME=${CUSTODIAN_CONTROLLER_NAME:-Local demo shop}
export CUSTODIAN_CONTROLLER_ADDRESS=${CUSTODIAN_CONTROLLER_ADDRESS:-1 Demo Street, Moscow}
export CUSTODIAN_CONTROLLER_RESPONSIBLE_NAME=${CUSTODIAN_CONTROLLER_RESPONSIBLE_NAME:-Demo Person}
export CUSTODIAN_CONTROLLER_RESPONSIBLE_POSITION=${CUSTODIAN_CONTROLLER_RESPONSIBLE_POSITION:-Person responsible for personal-data processing}

# personal_data_keys DIR: the keys that seal personal data, which serve and work refuse to start without — a
# key-encryption key (CUSTODIAN_KEK_FILE) and the blind-index key (CUSTODIAN_BLIND_INDEX_KEY) — made once in DIR
# unless already set. Lose them and the data they sealed is gone: scripts/run keeps them in .data/.
personal_data_keys() {
    local dir=$1
    if [[ -z "${CUSTODIAN_KEK_FILE:-}" && -z "${CUSTODIAN_KEK:-}" ]]; then
        [[ -s "$dir/kek" ]] || (umask 077 && printf 'local1:%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >"$dir/kek")
        export CUSTODIAN_KEK_FILE="$dir/kek"
    fi
    if [[ -z "${CUSTODIAN_BLIND_INDEX_KEY:-}" ]]; then
        [[ -s "$dir/blind-index-key" ]] || (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n' >"$dir/blind-index-key")
        CUSTODIAN_BLIND_INDEX_KEY=$(cat "$dir/blind-index-key")
        export CUSTODIAN_BLIND_INDEX_KEY
    fi
}
