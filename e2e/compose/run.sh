#!/usr/bin/env bash
# `npm run test:compose`: the production path in real containers (README "Production: docker compose").
# Installs Docker's engine, docker-compose and debootstrap from Debian when missing, starts dockerd when none
# answers, builds the base images when they are absent and cannot be pulled (e2e/compose/base-images.sh),
# builds the app image from the project's Dockerfile, then e2e/compose/checks.ts brings the real
# docker-compose.yml up with three workers, runs the checks, tears everything down and prints what held.
# Needs root. Everything stays on this machine: the compose network and the API on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
T0=$(date +%s)
say() { printf '\n== [compose %ss] %s\n' "$(($(date +%s) - T0))" "$*"; }

say "tools"
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The engine's own client: another one earlier on PATH may speak a newer API than this engine.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER="$(command -v docker)"
export DOCKER
"$DOCKER" --version
docker-compose --version

say "docker engine"
DOCKERD_PID=""
if ! "$DOCKER" info >/dev/null 2>&1; then
  dockerd >/var/log/occ-test-compose-dockerd.log 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 1; done
  "$DOCKER" info >/dev/null || { tail -n 20 /var/log/occ-test-compose-dockerd.log; exit 1; }
  echo "started dockerd (pid $DOCKERD_PID)"
fi

export COMPOSE_PROJECT_NAME="occcomposetest"
compose() { docker-compose -f docker-compose.yml -f e2e/compose/docker-compose.test.yml "$@"; }
finish() {
  local code=$?
  # The checks tear down themselves; this also covers a failure before or around them.
  compose down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
  if [ -n "$DOCKERD_PID" ]; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
  fi
  say "done in $(($(date +%s) - T0)) s (exit $code)"
}
trap finish EXIT
# Left over from an interrupted run.
compose down -v --remove-orphans -t 5 >/dev/null 2>&1 || true

say "base images"
DOCKER="$DOCKER" bash e2e/compose/base-images.sh

say "app image (the project's Dockerfile, classic builder: BuildKit would pull its frontend image)"
DOCKER_BUILDKIT=0 "$DOCKER" build -q -t occupancy-sync:latest . >/dev/null
"$DOCKER" image inspect -f 'occupancy-sync:latest {{.Size}} bytes, user {{.Config.User}}' occupancy-sync:latest

say "checks"
# Throwaway secrets for this run only; the API is published on a free loopback port.
JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
API_PUBLISHED_PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
export JWT_SECRET ENCRYPTION_KEY API_PUBLISHED_PORT
export API_BIND_ADDRESS=127.0.0.1 ADMIN_EMAIL=admin@compose.test ADMIN_PASSWORD="admin-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
node --import tsx e2e/compose/checks.ts
