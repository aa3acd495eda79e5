#!/bin/sh
# The certbot container's command (docker-compose.prod.yml), POSIX sh for the official Alpine
# image: on first boot get the certificate for DOMAIN through the webroot nginx serves on port
# 80, then every 12 hours `certbot renew` (which renews within 30 days of expiry). nginx notices
# a new certificate in the shared /etc/letsencrypt volume and reloads
# (docker/nginx/entrypoint.d/40-quire-reload-on-renewal.sh).
#
# Environment: DOMAIN (required), LETSENCRYPT_EMAIL (the ACME account's contact, optional),
# CERTBOT_ARGS (extra options, e.g. --staging while trying things out).
set -u
: "${DOMAIN:?must be set: the site's host name, e.g. blog.example (.env)}"
webroot=/var/www/certbot
renew_every=43200 # 12 hours
# A failed first issuance (DNS not pointing here yet, port 80 closed) is retried sooner, but
# slowly enough to stay under Let's Encrypt's limit of 5 failed validations per hour.
retry_after=900

account=--register-unsafely-without-email
[ -n "${LETSENCRYPT_EMAIL:-}" ] && account="--email ${LETSENCRYPT_EMAIL}"

# `docker compose stop` sends TERM; sleep runs in the background so the trap fires at once.
trap 'exit 0' TERM INT

while :; do
  if [ -s "/etc/letsencrypt/live/$DOMAIN/fullchain.pem" ]; then
    # shellcheck disable=SC2086 # CERTBOT_ARGS is a list of options
    certbot renew --non-interactive ${CERTBOT_ARGS:-}
    wait_for=$renew_every
  else
    # shellcheck disable=SC2086
    if certbot certonly --non-interactive --agree-tos $account \
      --webroot --webroot-path "$webroot" \
      --cert-name "$DOMAIN" --domain "$DOMAIN" ${CERTBOT_ARGS:-}; then
      wait_for=$renew_every
    else
      echo "renew-loop.sh: no certificate for $DOMAIN yet; trying again in $retry_after s" >&2
      wait_for=$retry_after
    fi
  fi
  sleep "$wait_for" &
  wait $!
done
