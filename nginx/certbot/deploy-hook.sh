#!/usr/bin/env bash
# certbot --deploy-hook: runs after every successful issuance or renewal
# (certbot sets RENEWED_LINEAGE to /etc/letsencrypt/live/<name>). Copies the
# new pair to the paths nginx reads and reloads nginx.
#
# A reload (SIGHUP) drops no request: the master starts new workers with the
# new certificate, and the old ones finish what they are serving first.
# https://nginx.org/en/docs/control.html#reconfiguration
#
# Environment (the same as nginx/render.sh): NGINX_TLS_CERT, NGINX_TLS_KEY,
# and NGINX_PID_FILE (default /run/nginx.pid, Debian's).
set -euo pipefail
: "${RENEWED_LINEAGE:?is set by certbot; run this script as certbot --deploy-hook}"
: "${NGINX_TLS_CERT:=/etc/nginx/tls/fullchain.pem}"
: "${NGINX_TLS_KEY:=/etc/nginx/tls/privkey.pem}"
: "${NGINX_PID_FILE:=/run/nginx.pid}"

# Write next to the target, then rename: nginx never reads a half-written file.
install -m 600 "$RENEWED_LINEAGE/privkey.pem" "$NGINX_TLS_KEY.tmp"
install -m 644 "$RENEWED_LINEAGE/fullchain.pem" "$NGINX_TLS_CERT.tmp"
mv "$NGINX_TLS_KEY.tmp" "$NGINX_TLS_KEY"
mv "$NGINX_TLS_CERT.tmp" "$NGINX_TLS_CERT"

kill -HUP "$(cat "$NGINX_PID_FILE")"
echo "nginx/certbot/deploy-hook.sh: installed $RENEWED_LINEAGE and reloaded nginx" >&2
