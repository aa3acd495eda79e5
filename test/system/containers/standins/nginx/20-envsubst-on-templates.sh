#!/bin/sh
# The official nginx image's template step (entrypoint/20-envsubst-on-templates.sh), shortened:
# every /etc/nginx/templates/**/*.template becomes /etc/nginx/conf.d/** with the variables that
# are set in the environment substituted (nginx's own $variables are left alone).
set -e
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"
[ -d "$template_dir" ] || exit 0
defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" < /dev/null))
find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
  relative_path="${template#"$template_dir/"}"
  output_path="$output_dir/${relative_path%"$suffix"}"
  mkdir -p "$(dirname "$output_path")"
  echo "$0: Running envsubst on $template to $output_path"
  envsubst "$defined_envs" < "$template" > "$output_path"
done
