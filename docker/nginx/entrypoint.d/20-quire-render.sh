#!/bin/sh
# nginx/render.sh: /etc/nginx/quire-templates/*.template -> /etc/nginx/conf.d/*.conf.
set -eu
exec /usr/local/lib/quire-nginx/render.sh /etc/nginx/quire-templates /etc/nginx/conf.d
