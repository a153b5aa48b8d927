# The operator's details for a local run: `custodian serve` and `custodian work` refuse to start without them, since
# every destruction act names the operator and its responsible person (RKN Order No. 179). Values already set win.
# Sourced by scripts/run and by every phase of scripts/test that starts the server or the worker.
export CUSTODIAN_CONTROLLER_NAME=${CUSTODIAN_CONTROLLER_NAME:-Local demo shop}
export CUSTODIAN_CONTROLLER_ADDRESS=${CUSTODIAN_CONTROLLER_ADDRESS:-1 Demo Street, Moscow}
export CUSTODIAN_CONTROLLER_RESPONSIBLE_NAME=${CUSTODIAN_CONTROLLER_RESPONSIBLE_NAME:-Demo Person}
export CUSTODIAN_CONTROLLER_RESPONSIBLE_POSITION=${CUSTODIAN_CONTROLLER_RESPONSIBLE_POSITION:-Person responsible for personal-data processing}
