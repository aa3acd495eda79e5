#!/usr/bin/env bash
# First boot: nginx cannot start its https server without a certificate,
# and certbot cannot get one before nginx answers the http-01 challenge.
# So when there is no certificate yet, write a temporary self-signed one
# (valid 7 days, for NGINX_SERVER_NAME) where nginx expects the real one;
# certbot's deploy hook (deploy-hook.sh) replaces it once issued.
# An existing certificate is left alone.
#
#   NGINX_SERVER_NAME=blog.example NGINX_TLS_CERT=… NGINX_TLS_KEY=… nginx/certbot/self-signed.sh
set -euo pipefail
: "${NGINX_SERVER_NAME:?must be set (see nginx/README.md)}"
: "${NGINX_TLS_CERT:=/etc/nginx/tls/fullchain.pem}"
: "${NGINX_TLS_KEY:=/etc/nginx/tls/privkey.pem}"

if [[ -s "$NGINX_TLS_CERT" && -s "$NGINX_TLS_KEY" ]]; then
  exit 0
fi
mkdir -p "$(dirname "$NGINX_TLS_CERT")" "$(dirname "$NGINX_TLS_KEY")"
(
  umask 077
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 \
    -subj "/CN=$NGINX_SERVER_NAME" -addext "subjectAltName=DNS:$NGINX_SERVER_NAME" \
    -keyout "$NGINX_TLS_KEY.tmp" -out "$NGINX_TLS_CERT.tmp" 2>/dev/null
)
chmod 644 "$NGINX_TLS_CERT.tmp"
mv "$NGINX_TLS_KEY.tmp" "$NGINX_TLS_KEY"
mv "$NGINX_TLS_CERT.tmp" "$NGINX_TLS_CERT"
echo "nginx/certbot/self-signed.sh: temporary self-signed certificate for $NGINX_SERVER_NAME in $NGINX_TLS_CERT" >&2
