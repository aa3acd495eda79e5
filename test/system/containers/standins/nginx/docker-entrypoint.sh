#!/bin/sh
# The official nginx image's entrypoint, shortened (github.com/nginxinc/docker-nginx,
# entrypoint/docker-entrypoint.sh): when the command is nginx, source /docker-entrypoint.d/*.envsh
# and run the executable /docker-entrypoint.d/*.sh in order, then exec the command.
set -e
if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
  for f in $(find /docker-entrypoint.d/ -follow -type f -print | sort -V); do
    case "$f" in
      *.envsh) [ -x "$f" ] && . "$f" ;;
      *.sh) [ -x "$f" ] && "$f" ;;
    esac
  done
  echo "$0: Configuration complete; ready for start up"
fi
exec "$@"
