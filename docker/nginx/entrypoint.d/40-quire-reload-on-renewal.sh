#!/bin/sh
# Starts, in the background, the loop that reloads nginx after certbot renews: every
# NGINX_CERTIFICATE_CHECK_SECONDS it compares certbot's certificate (the shared /etc/letsencrypt
# volume) with the one nginx serves, and on a difference installs the new pair and runs
# `nginx -s reload`, which starts workers with it while the old ones finish their requests
# (https://nginx.org/en/docs/control.html#reconfiguration). Watching the file, rather than
# having certbot signal nginx, works across containers without sharing a PID namespace.
set -eu
live="/etc/letsencrypt/live/$NGINX_SERVER_NAME"
(
  while sleep "$NGINX_CERTIFICATE_CHECK_SECONDS"; do
    if [ -s "$live/fullchain.pem" ] && [ -s "$live/privkey.pem" ] \
      && ! cmp -s "$live/fullchain.pem" "$NGINX_TLS_CERT"; then
      install -m 600 "$live/privkey.pem" "$NGINX_TLS_KEY"
      install -m 644 "$live/fullchain.pem" "$NGINX_TLS_CERT"
      if nginx -s reload; then
        echo "$0: new certificate from $live installed; nginx reloaded"
      fi
    fi
  done
) &
