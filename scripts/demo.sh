#!/usr/bin/env bash
# The main job, offline: init the Sietch theme in ./demo, validate, plan and apply against the
# embedded sandbox guild, then plan again (which must show no changes).
set -euo pipefail
rm -rf demo && mkdir -p demo && cd demo
unset DISCORD_TOKEN
gaib server init --theme sietch
gaib server validate
if gaib server plan --help >/dev/null 2>&1; then
  gaib server plan
  gaib server apply --auto-approve
  gaib server plan --detailed-exitcode
else
  echo "Rendered and validated discord-server.yaml; plan and apply need a provider (not built yet)."
fi
