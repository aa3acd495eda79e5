#!/usr/bin/env bash
# Renders nginx/templates/*.template into conf.d/*.conf, substituting only
# the NGINX_* variables listed below (the contract in README.md), so nginx's
# own $host, $request_id, … pass through untouched.
#
# The same mechanism as the official nginx image's entrypoint
# (/docker-entrypoint.d/20-envsubst-on-templates.sh): every
# <template dir>/NAME.template becomes <output dir>/NAME.
#
#   nginx/render.sh [TEMPLATE_DIR] [OUTPUT_DIR]
#     defaults: /etc/nginx/templates  /etc/nginx/conf.d
#
# A required variable that is unset, or a value of the wrong shape, stops
# the script with a message naming the variable; nothing is written then.
set -euo pipefail

template_dir=${1:-/etc/nginx/templates}
output_dir=${2:-/etc/nginx/conf.d}

fail() {
  echo "nginx/render.sh: $*" >&2
  exit 1
}

# Variables without a default must be set by the operator.
: "${NGINX_HTTP_LISTEN:=80}"
: "${NGINX_HTTPS_LISTEN:=443}"
: "${NGINX_PUBLIC_HTTPS_PORT:=443}"
: "${NGINX_TLS_CERT:=/etc/nginx/tls/fullchain.pem}"
: "${NGINX_TLS_KEY:=/etc/nginx/tls/privkey.pem}"
: "${NGINX_ACME_WEBROOT:=/var/www/certbot}"
: "${NGINX_ASSETS_DIR:=/srv/quire/templates/assets}"
: "${NGINX_ERROR_PAGES_DIR:=/etc/nginx/html}"
: "${NGINX_STATE_DIR:=/var/cache/nginx/quire}"
: "${NGINX_RATE_LIMIT:=20r/s}"
: "${NGINX_RATE_BURST:=100}"
: "${NGINX_MICROCACHE:=on}"

VARIABLES=(
  NGINX_SERVER_NAME NGINX_UPSTREAM
  NGINX_HTTP_LISTEN NGINX_HTTPS_LISTEN NGINX_PUBLIC_HTTPS_PORT
  NGINX_TLS_CERT NGINX_TLS_KEY NGINX_ACME_WEBROOT
  NGINX_ASSETS_DIR NGINX_ERROR_PAGES_DIR NGINX_STATE_DIR
  NGINX_RATE_LIMIT NGINX_RATE_BURST NGINX_MICROCACHE
)

for name in "${VARIABLES[@]}"; do
  [[ -n "${!name:-}" ]] || fail "$name must be set (see nginx/README.md)"
  # A value is pasted into nginx syntax: no whitespace tricks, quotes,
  # semicolons or braces that could end a directive.
  [[ "${!name}" =~ ^[^[:space:]\;\{\}\"\'\$]+$ ]] ||
    fail "$name must be one word without spaces, quotes, ';', '{', '}' or '\$' (got \"${!name}\")"
  export "${name?}"
done

listen='^(([0-9]{1,3}\.){3}[0-9]{1,3}:|\[[0-9a-fA-F:]+\]:)?[0-9]{1,5}$'
[[ "$NGINX_SERVER_NAME" =~ ^[A-Za-z0-9.*_-]+$ ]] ||
  fail "NGINX_SERVER_NAME must be a host name such as blog.example (got \"$NGINX_SERVER_NAME\")"
upstream='([^:,]+:[0-9]{1,5}|unix:/[^,]+)'
[[ "$NGINX_UPSTREAM" =~ ^$upstream(,$upstream)*$ ]] ||
  fail "NGINX_UPSTREAM must be host:port or unix:/path, or several separated by commas (got \"$NGINX_UPSTREAM\")"
[[ "$NGINX_HTTP_LISTEN" =~ $listen ]] ||
  fail "NGINX_HTTP_LISTEN must be a port or address:port (got \"$NGINX_HTTP_LISTEN\")"
[[ "$NGINX_HTTPS_LISTEN" =~ $listen ]] ||
  fail "NGINX_HTTPS_LISTEN must be a port or address:port (got \"$NGINX_HTTPS_LISTEN\")"
[[ "$NGINX_PUBLIC_HTTPS_PORT" =~ ^[0-9]{1,5}$ ]] ||
  fail "NGINX_PUBLIC_HTTPS_PORT must be a port number (got \"$NGINX_PUBLIC_HTTPS_PORT\")"
[[ "$NGINX_RATE_LIMIT" =~ ^[0-9]+r/[sm]$ ]] ||
  fail "NGINX_RATE_LIMIT must look like 20r/s or 600r/m (got \"$NGINX_RATE_LIMIT\")"
[[ "$NGINX_RATE_BURST" =~ ^[0-9]+$ ]] ||
  fail "NGINX_RATE_BURST must be a whole number (got \"$NGINX_RATE_BURST\")"
[[ "$NGINX_MICROCACHE" =~ ^(on|off)$ ]] ||
  fail "NGINX_MICROCACHE must be on or off (got \"$NGINX_MICROCACHE\")"
for name in NGINX_TLS_CERT NGINX_TLS_KEY NGINX_ACME_WEBROOT NGINX_ASSETS_DIR \
  NGINX_ERROR_PAGES_DIR NGINX_STATE_DIR; do
  [[ "${!name}" == /* ]] || fail "$name must be an absolute path (got \"${!name}\")"
done

command -v envsubst >/dev/null || fail "envsubst not found (Debian package gettext-base)"
# One `server` line per address of NGINX_UPSTREAM: several are replicas, which nginx balances
# and which can be restarted one at a time (issue #20). max_fails=0: a replica that refuses is
# passed over per request (proxy_next_upstream), never held as down for fail_timeout; else a
# replica just restarted is still held down when the next one stops, and none is left (502s).
NGINX_UPSTREAM_SERVERS=""
IFS=',' read -ra addresses <<<"$NGINX_UPSTREAM"
for address in "${addresses[@]}"; do
  NGINX_UPSTREAM_SERVERS+="${NGINX_UPSTREAM_SERVERS:+$'\n    '}server $address max_fails=0;"
done
export NGINX_UPSTREAM_SERVERS
# envsubst's SHELL-FORMAT argument: only these names are replaced.
only=$(printf '${%s} ' "${VARIABLES[@]}" NGINX_UPSTREAM_SERVERS)

mkdir -p "$output_dir"
shopt -s nullglob
templates=("$template_dir"/*.template)
((${#templates[@]} > 0)) || fail "no *.template files in $template_dir"
for template in "${templates[@]}"; do
  name=$(basename "$template" .template)
  envsubst "$only" <"$template" >"$output_dir/$name.tmp"
  mv "$output_dir/$name.tmp" "$output_dir/$name"
  echo "nginx/render.sh: $template -> $output_dir/$name" >&2
done
