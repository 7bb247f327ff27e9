#!/usr/bin/env bash
# Validate compose.yaml without a Docker engine.
#
# 1. Find a Compose implementation: `docker compose` (v2 CLI plugin), else a
#    standalone `docker-compose` (v2, or v1 >= 1.27 which implements the
#    Compose Specification).
# 2. If none is there, install one from the distribution's packages with
#    apt-get (needs root or password-less sudo): the first of
#    docker-compose-v2 (Ubuntu), docker-compose-plugin (Docker's apt repo),
#    docker-compose (Debian: 1.29.2 on bookworm, 2.x from trixie on) that
#    has an install candidate. --no-install-recommends keeps the Docker
#    engine (docker.io) from being pulled in.
# 3. Run `<compose> -f compose.yaml config -q` (resolves interpolation,
#    anchors and merge keys and checks the file against the Compose schema;
#    needs no engine) and exit non-zero on any failure.
#
# Override the command with COMPOSE_CMD="docker compose" (word-split).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

compose_file="${COMPOSE_CHECK_FILE:-compose.yaml}"
compose=()

log() { printf 'check-compose: %s\n' "$*" >&2; }

v1_is_recent_enough() {
    # docker-compose v1 implements the Compose Specification from 1.27 on.
    local v major minor
    v="$(docker-compose version --short 2>/dev/null || true)"
    v="${v#v}"
    major="${v%%.*}"
    minor="${v#*.}"; minor="${minor%%.*}"
    [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
    (( major >= 2 || (major == 1 && minor >= 27) ))
}

find_compose() {
    if [ -n "${COMPOSE_CMD:-}" ]; then
        # shellcheck disable=SC2206  # word-splitting is intended
        compose=(${COMPOSE_CMD})
        return 0
    fi
    if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
        compose=(docker compose)
        return 0
    fi
    if command -v docker-compose >/dev/null 2>&1; then
        if v1_is_recent_enough; then
            compose=(docker-compose)
            return 0
        fi
        log "ignoring docker-compose $(docker-compose version --short 2>/dev/null || echo '?'): too old for the Compose Specification"
    fi
    return 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        log "need root (or password-less sudo) to run: $*"
        return 1
    fi
}

install_compose() {
    if ! command -v apt-get >/dev/null 2>&1; then
        log "no Compose found and no apt-get to install one"
        return 1
    fi
    log "no Compose found; installing one with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    local pkg candidate
    for pkg in docker-compose-v2 docker-compose-plugin docker-compose; do
        candidate="$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {c = $2} END {print c}' || true)"
        if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
            log "installing $pkg ($candidate)"
            as_root env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "$pkg" >&2
            return 0
        fi
    done
    log "none of docker-compose-v2, docker-compose-plugin, docker-compose is available from apt"
    return 1
}

if ! find_compose; then
    install_compose
    find_compose || { log "installed a package, but still no usable Compose command"; exit 1; }
fi

log "using: ${compose[*]} ($("${compose[@]}" version 2>/dev/null | head -n 1 || true))"

if [ ! -f "$compose_file" ]; then
    log "$compose_file not found in $repo_root"
    exit 1
fi

# Fail on a broken RabbitMQ definitions file too: compose only checks that
# the bind-mount source exists, RabbitMQ would refuse to boot.
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' deploy/rabbitmq/definitions.json \
        || { log "deploy/rabbitmq/definitions.json is not valid JSON"; exit 1; }
fi

"${compose[@]}" -f "$compose_file" config -q
log "$compose_file is valid"
