#!/usr/bin/env bash
# Air-gapped stand-ins for the base images the stack needs (node:20-bookworm-slim, postgres:16, redis:7),
# built from Debian packages with debootstrap + docker import, for build servers that reach a Debian mirror
# but no image registry. Each image is built only when it is absent locally and cannot be pulled, so a
# machine with registry access keeps using the official images.
#
#   sudo e2e/compose/base-images.sh            # the three images, when missing
#   DEBIAN_MIRROR=http://mirror.local/debian e2e/compose/base-images.sh
#
# Needs root, docker, debootstrap. The stand-ins behave like the official images in what this project
# relies on: see the entrypoints below.
set -euo pipefail

MIRROR="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
DOCKER="${DOCKER:-docker}"
WORK="$(mktemp -d /var/tmp/occ-base.XXXXXX)"
cleanup() {
  # debootstrap mounts /proc (and, inside a container, may bind /dev) in the target: unmount before
  # removing, and never cross into another file system.
  findmnt -rn -o TARGET | grep "^$WORK/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

log() { printf '[base-images] %s\n' "$*"; }

needed() { # image -> 0 when it has to be built here
  if "$DOCKER" image inspect "$1" >/dev/null 2>&1; then log "$1: present"; return 1; fi
  if timeout 60 "$DOCKER" pull -q "$1" >/dev/null 2>&1; then log "$1: pulled"; return 1; fi
  log "$1: absent and not pullable, building a stand-in from Debian packages"
  return 0
}

# One minbase bookworm, then a copy per image with that image's packages installed in a chroot.
base_rootfs() {
  if [ ! -d "$WORK/base" ]; then
    log "debootstrap --variant=minbase bookworm ($MIRROR)"
    debootstrap --variant=minbase bookworm "$WORK/base" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      { tail -n 30 "$WORK/debootstrap.log"; exit 1; }
    # Services must not start inside the chroot while packages are installed.
    printf '#!/bin/sh\nexit 101\n' >"$WORK/base/usr/sbin/policy-rc.d"
    chmod +x "$WORK/base/usr/sbin/policy-rc.d"
  fi
  rm -rf "$WORK/$1"
  cp -a "$WORK/base" "$WORK/$1"
}

apt_in() { # rootfs packages...
  local root="$1"; shift
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $* >/dev/null" \
    >"$WORK/apt.log" 2>&1 || { tail -n 30 "$WORK/apt.log"; exit 1; }
}

import() { # rootfs image stop-signal --change...
  local root="$1" image="$2" stop_signal="$3"; shift 3
  rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/* "$root"/tmp/*
  local changes=()
  for c in "$@"; do changes+=(--change "$c"); done
  tar -C "$root" -c . | "$DOCKER" import "${changes[@]}" - "$image" >/dev/null
  # `docker import` cannot set STOPSIGNAL; one classic-builder step on top can.
  if [ "$stop_signal" != SIGTERM ]; then
    printf 'FROM %s\nSTOPSIGNAL %s\n' "$image" "$stop_signal" | DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$image" - >/dev/null
  fi
  log "$image: built ($("$DOCKER" image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}'))"
}

build_node() {
  local root="$WORK/node" node npm_dir
  base_rootfs node
  # This machine's Node 20 and npm, where the official image has them (/usr/local).
  node="$(readlink -f "$(command -v node)")"
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  case "$(node --version)" in v20.*) ;; *) log "host node is $(node --version), need 20"; exit 1 ;; esac
  install -m 0755 "$node" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  # Registries reached through a TLS-intercepting proxy need this machine's CAs; only the stand-in gets
  # them (the project's Dockerfile stays as users need it).
  local ca_env=()
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/occ-build-ca.crt"
    ca_env=("ENV NODE_EXTRA_CA_CERTS=/usr/local/share/occ-build-ca.crt")
  fi
  import "$root" node:20-bookworm-slim SIGTERM "${ca_env[@]}" "ENV NODE_VERSION=$(node --version | tr -d v)" 'CMD ["node"]'
}

build_postgres() {
  local root="$WORK/postgres"
  base_rootfs postgres
  # No packaged cluster: the entrypoint runs initdb in PGDATA like the official image.
  mkdir -p "$root/etc/postgresql-common"
  echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.conf"
  apt_in "$root" postgresql-15
  install -d -o 0 -g 0 "$root/var/lib/postgresql/data"
  chroot "$root" sh -c 'chown -R postgres:postgres /var/lib/postgresql && install -d -o postgres -g postgres -m 2775 /var/run/postgresql'
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
# Like the official postgres image: POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB on first start,
# password (scram) auth from other hosts, listen on all addresses.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  user="${POSTGRES_USER:-postgres}"
  pwfile="$(mktemp)"
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  db="${POSTGRES_DB:-$user}"
  if [ "$db" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    psql -v ON_ERROR_STOP=1 -q -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "database initialised"
fi
if [ "${1:-}" = postgres ]; then shift; set -- postgres -D "$PGDATA" "$@"; fi
exec "$@"
SH
  chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh"
  # Fast shutdown, like the official image: SIGTERM would wait for every client to disconnect.
  import "$root" postgres:16 SIGINT \
    'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV PGDATA=/var/lib/postgresql/data' 'USER postgres' 'EXPOSE 5432' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["postgres"]'
}

build_redis() {
  local root="$WORK/redis"
  base_rootfs redis
  apt_in "$root" redis-server
  chroot "$root" sh -c 'install -d -o redis -g redis /data'
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
# Like the official redis image: started as `redis-server [--options]` without a config file, it must
# accept connections from other containers, so protected mode is turned off.
set -eu
if [ "${1:-}" = redis-server ]; then
  case "${2:-}" in
    *.conf) ;;
    *) shift; set -- redis-server "$@" --protected-mode no ;;
  esac
fi
exec "$@"
SH
  chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh"
  import "$root" redis:7 SIGTERM 'USER redis' 'WORKDIR /data' 'EXPOSE 6379' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["redis-server"]'
}

needed node:20-bookworm-slim && build_node
needed postgres:16 && build_postgres
needed redis:7 && build_redis
log "done"
