#!/usr/bin/env bash
# Renewal: renews every certificate within 30 days of expiry, through the
# webroot recorded at issuance, and runs deploy-hook.sh (recorded too, and
# named again here in case the certificate was issued by hand) to install it
# and reload nginx. Run it twice a day (cron or a systemd timer; Debian's
# certbot package ships certbot.timer, which does the same).
#
#   nginx/certbot/renew.sh [certbot options…]    e.g. --force-renewal
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec certbot renew --non-interactive --deploy-hook "$here/deploy-hook.sh" "$@"
