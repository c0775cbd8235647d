#!/usr/bin/env bash
# The main job (make demo [MODE=getvpn]): start the emulated lab (with MODE: its links in that mode), encrypt its P-P link (plan -> deploy -> verify; the
# play ends with the verify summary table), stop the lab whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export ANSIBLE_CONFIG="${ANSIBLE_CONFIG:-$PWD/ansible.cfg}"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$PWD/.cache/collections}"
trap 'mplssec-lab down' EXIT
mplssec-lab up ${MODE:+--mode "$MODE"}
ansible-playbook -i inventory/lab/hosts.yml --vault-password-file inventory/lab/.vault-pass playbooks/encrypt_p2p.yml
