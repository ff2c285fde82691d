#!/usr/bin/env bash
# Shows: creating a cluster exemption from a script, with no prompts.
#
# Exempts cluster aks-prod-neu from the BlockUsingHostNetwork policy of the pss-baseline assignment
# for 30 days, prints the result as JSON, and shows how to tell akspol's exit codes apart.
# Every check runs before the write: the cluster exists, the assignment applies to it, the reference
# id exists in the assigned initiative version, the reason is given, the expiry is at most 90 days away.
#
# Against the demo tenant: start `akspol emulator` in another terminal, then
#   AKSPOL_EMULATOR=1 examples/create-exemption.sh
# Against Azure: sign in (`az login`, or a service principal / workload identity in CI) and set
# AZURE_SUBSCRIPTION_ID, CLUSTER, ASSIGNMENT as needed.
set -euo pipefail

AKSPOL="${AKSPOL:-akspol}"
CLUSTER="${CLUSTER:-aks-prod-neu}"
ASSIGNMENT="${ASSIGNMENT:-pss-baseline}"
TICKET="${TICKET:-OPS-2001}"

set +e
result="$("$AKSPOL" exempt create \
  --no-input --yes \
  --cluster "$CLUSTER" \
  --assignment "$ASSIGNMENT" \
  --policies BlockUsingHostNetwork \
  --category waiver \
  --expires +30d \
  --reason "Prometheus node-exporter needs the host network" \
  --ticket "$TICKET" \
  --output json)"
status=$?
set -e

case "$status" in
  0) echo "$result" ;;
  2) echo "Refused before any write (bad flag or value, wrong reference id, assignment does not apply, expiry not allowed, no --yes)." >&2 ;;
  3) echo "The cluster or assignment was not found." >&2 ;;
  4) echo "Not signed in, or no permission to create exemptions (needs Resource Policy Contributor)." >&2 ;;
  5) echo "The exemption exists already: use 'akspol exempt renew' to move its expiry." >&2 ;;
  *) echo "akspol failed with exit code $status." >&2 ;;
esac
exit "$status"
