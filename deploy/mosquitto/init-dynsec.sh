#!/usr/bin/env bash
# Creates the dynamic-security file with its first admin account, and the identity plugin's
# journal, both owned by the broker's user.
# Usage: sudo deploy/mosquitto/init-dynsec.sh [file] [admin-username] [journal]
# Prints the admin password once; keep it for deploy/mosquitto/bootstrap.ts, which creates the
# cloud's own accounts from it.
set -euo pipefail
file=${1:-/var/lib/mosquitto/dynamic-security.json}
admin=${2:-sw-admin}
journal=${3:-$(dirname "$file")/shouwang-identities.journal}
if [ -e "$file" ]; then
  echo "$file exists already; not touching it." >&2
  exit 1
fi
password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$(dirname "$file")"
mosquitto_ctrl dynsec init "$file" "$admin" "$password" >/dev/null
touch "$journal"
# The broker drops to the mosquitto user when started as root; it must be able to rewrite both.
if id mosquitto >/dev/null 2>&1; then chown mosquitto: "$file" "$journal" "$(dirname "$journal")"; fi
chmod 600 "$file" "$journal"
echo "dynamic-security admin: $admin"
echo "password (shown once): $password"
