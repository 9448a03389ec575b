#!/usr/bin/env bash
# The main job, offline: init the Sietch theme in ./demo, validate, plan and apply against the
# embedded sandbox guild, then plan again (which must show no changes).
set -euo pipefail
rm -rf demo && mkdir -p demo && cd demo
unset DISCORD_TOKEN
gaib server init --theme sietch
gaib server validate
gaib server plan
gaib server apply --auto-approve
gaib server plan --detailed-exitcode
cat <<'DONE'

Done. Where to look (in ./demo):
  discord-server.yaml           the config (edit it, then run `gaib server plan` again)
  .gaib/                        project settings, the state of each workspace, the sandbox guild
  gaib server state ls          what gaib manages now (run inside ./demo)
  gaib server plan              what an edit would change
For a real Discord server: `gaib server init --theme sietch --guild ID` with DISCORD_TOKEN set.
DONE
