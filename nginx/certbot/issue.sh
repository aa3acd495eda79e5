#!/usr/bin/env bash
# First issuance, once nginx runs (with the self-signed pair from
# self-signed.sh): certbot answers the http-01 challenge by writing a file
# into NGINX_ACME_WEBROOT, which the port-80 server serves; deploy-hook.sh
# then installs the certificate and reloads nginx. certbot records the
# webroot and the hook in its renewal configuration, so `certbot renew`
# (renew.sh, or Debian's certbot.timer) repeats both later.
#
#   NGINX_SERVER_NAME=blog.example CERTBOT_EMAIL=you@example nginx/certbot/issue.sh [certbot options…]
#
# Extra options go to certbot as they are (tests pass --server, --config-dir…).
set -euo pipefail
: "${NGINX_SERVER_NAME:?must be set (see nginx/README.md)}"
: "${NGINX_ACME_WEBROOT:=/var/www/certbot}"
here=$(cd "$(dirname "$0")" && pwd)

account=(--register-unsafely-without-email)
[[ -n "${CERTBOT_EMAIL:-}" ]] && account=(--email "$CERTBOT_EMAIL")

mkdir -p "$NGINX_ACME_WEBROOT"
exec certbot certonly --non-interactive --agree-tos "${account[@]}" \
  --webroot --webroot-path "$NGINX_ACME_WEBROOT" \
  --cert-name "$NGINX_SERVER_NAME" --domain "$NGINX_SERVER_NAME" \
  --deploy-hook "$here/deploy-hook.sh" \
  "$@"
