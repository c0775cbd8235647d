#!/usr/bin/env bash
# The main job (make demo [MODE=getvpn]): start the emulated lab (with MODE: its links in that mode), encrypt its P-P link (plan -> deploy -> verify; the
# play ends with the verify summary table), stop the lab whatever happens.
# MODE=getvpn: the link in mode getvpn with its key server ks1 (docs/lab.md "GET VPN").
# MODE=macsec (make demo MODE=macsec): the link in mode macsec, on hardware router models with MACsec ports
# (ASR1001-X / SRX380: --scenario macsec-hw; the default virtual models are refused by the plan).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export ANSIBLE_CONFIG="${ANSIBLE_CONFIG:-$PWD/ansible.cfg}"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$PWD/.cache/collections}"
MODE="${MODE:-gre_ipsec}"
case "$MODE" in
  gre_ipsec) up=() ;;
  getvpn) up=(--mode getvpn) ;;
  macsec) up=(--mode macsec --scenario macsec-hw) ;;
  *) echo "demo.sh: MODE must be gre_ipsec, getvpn or macsec, got '$MODE'" >&2; exit 2 ;;
esac
trap 'mplssec-lab down' EXIT
mplssec-lab up "${up[@]}"
ansible-playbook -i inventory/lab/hosts.yml --vault-password-file inventory/lab/.vault-pass playbooks/encrypt_p2p.yml
