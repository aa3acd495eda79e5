#!/usr/bin/env bash
# podman on these CI machines (issue #7): crun fails on their cgroups, so runc is the runtime,
# and containers get explicit default ulimits. Writes /etc/containers/containers.conf (or
# $CONTAINERS_CONF, podman's own variable for it) with exactly these settings; running it again
# changes nothing. An earlier file is kept beside it.
set -euo pipefail

conf=${CONTAINERS_CONF:-/etc/containers/containers.conf}
wanted='[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[engine]
runtime = "runc"'

if [[ -f "$conf" ]] && [[ "$(cat "$conf")" == "$wanted" ]]; then
  echo "containers.sh: $conf already set"
  exit 0
fi
mkdir -p "$(dirname "$conf")"
if [[ -f "$conf" ]]; then
  cp "$conf" "$conf.before-quire"
  echo "containers.sh: previous $conf kept as $conf.before-quire"
fi
printf '%s\n' "$wanted" > "$conf"
echo "containers.sh: wrote $conf (runtime runc, default ulimits)"
