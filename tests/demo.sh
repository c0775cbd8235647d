#!/usr/bin/env bash
# The main job (make demo). Until deploy exists: the plan for the example inventory.
set -euo pipefail
cd "$(dirname "$0")/.."
ansible-playbook -i inventory/example/hosts.yml --vault-password-file inventory/example/vault-password.txt playbooks/plan_p2p.yml
