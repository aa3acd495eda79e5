#!/bin/sh
# Before nginx starts: serve certbot's certificate for NGINX_SERVER_NAME when there is one in
# /etc/letsencrypt (shared with the certbot container); otherwise a temporary self-signed one,
# so that the first boot works: nginx answers the ACME challenge on port 80, certbot gets the
# real certificate, and 40-quire-reload-on-renewal.sh installs it.
set -eu
: "${NGINX_SERVER_NAME:?must be set: the site's host name, e.g. blog.example (DOMAIN in .env)}"
live="/etc/letsencrypt/live/$NGINX_SERVER_NAME"
if [ -s "$live/fullchain.pem" ] && [ -s "$live/privkey.pem" ]; then
  mkdir -p "$(dirname "$NGINX_TLS_CERT")" "$(dirname "$NGINX_TLS_KEY")"
  install -m 600 "$live/privkey.pem" "$NGINX_TLS_KEY"
  install -m 644 "$live/fullchain.pem" "$NGINX_TLS_CERT"
  echo "$0: serving the certificate in $live"
else
  /usr/local/lib/quire-nginx/self-signed.sh
fi
