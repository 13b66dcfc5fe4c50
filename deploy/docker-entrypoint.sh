#!/bin/sh
# mockstack's container entrypoint: serves the project mounted at $MOCKSTACK_MOCKS (default /mocks)
# with `mockstack up`. Arguments are those of `mockstack up` (the scenario first), e.g.
#   docker run -v "$PWD:/mocks:ro" mockstack scenarios/checkout.ts --variant payments-down
# The mount may be read-only (a Kubernetes ConfigMap): the project is copied to a writable work
# folder whose node_modules is the image's, so that `import … from 'mockstack'` resolves.
set -eu

home="${MOCKSTACK_HOME:-/app}"
mocks="${MOCKSTACK_MOCKS:-/mocks}"
work="${MOCKSTACK_WORKDIR:-/tmp/mockstack-project}"

if [ ! -d "$mocks" ]; then
  echo "mockstack: no project at $mocks; mount your scenarios there (docker run -v \"\$PWD:/mocks:ro\" …)" >&2
  exit 2
fi
rm -rf "$work"
mkdir -p "$work"
# -h follows the symlinks a ConfigMap mount is made of; node_modules and .git stay behind.
(cd "$mocks" && tar -chf - --exclude=./node_modules --exclude=./.git .) | (cd "$work" && tar -xf -)
ln -s "$home/node_modules" "$work/node_modules"
# Contract paths resolve against the nearest package.json above the scenario.
[ -f "$work/package.json" ] || printf '{ "private": true, "type": "module" }\n' > "$work/package.json"
cd "$work"

# Containers listen on every interface; the admin API too (it then requires MOCKSTACK_ADMIN_TOKEN,
# generated and printed when unset). The shared store comes from MOCKSTACK_STORE (redis://…).
exec node "$home/packages/mockstack/bin/mockstack.js" up \
  --host "${MOCKSTACK_HOST:-0.0.0.0}" \
  --admin-host "${MOCKSTACK_ADMIN_HOST:-0.0.0.0}" \
  --admin-port "${MOCKSTACK_ADMIN_PORT:-9900}" \
  "$@"
