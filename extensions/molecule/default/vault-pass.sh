#!/bin/sh
# Ansible vault password client: the running lab's generated password (or a placeholder before `create`).
cat "${MOLECULE_EPHEMERAL_DIRECTORY}/lab/.vault-pass" 2>/dev/null || echo "lab-not-started"
