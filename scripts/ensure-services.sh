#!/usr/bin/env bash
# Makes sure the local PostgreSQL and/or RabbitMQ answer: starts them if they are stopped, installs
# them with apt-get on Debian/Ubuntu (as root) if they are missing, or says exactly what to do.
# Usage: scripts/ensure-services.sh [postgres] [rabbitmq]
set -euo pipefail

PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
AMQP_HOST=${AMQP_HOST:-127.0.0.1}
AMQP_PORT=${AMQP_PORT:-5672}

say() { printf '[services] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {  # host port name seconds
  local deadline=$((SECONDS + $4))
  until port_open "$1" "$2"; do
    if ((SECONDS > deadline)); then say "$3 did not open $1:$2 within $4 s"; return 1; fi
    sleep 1
  done
}

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  say "installing $* with apt-get"
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  if port_open "$PG_HOST" "$PG_PORT"; then say "PostgreSQL is up on $PG_HOST:$PG_PORT"; return; fi
  local installed_now=""
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    if can_apt; then apt_install postgresql; installed_now=1
    else
      say "PostgreSQL is not running on $PG_HOST:$PG_PORT and cannot be installed from here."
      say "Install PostgreSQL 15+ and start it (Debian: sudo apt-get install postgresql), allow the user"
      say "'postgres' to connect from 127.0.0.1 without a password (pg_hba.conf: trust), or set TEST_PG_DSN."
      exit 1
    fi
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if [ -n "$installed_now" ]; then
    # A fresh Debian cluster asks for a password on TCP; the local runs and tests connect as postgres.
    sed -i '1i host all postgres 127.0.0.1/32 trust' "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port "$PG_HOST" "$PG_PORT" PostgreSQL 60
  say "PostgreSQL is up on $PG_HOST:$PG_PORT"
}

ensure_rabbitmq() {
  if port_open "$AMQP_HOST" "$AMQP_PORT"; then say "RabbitMQ is up on $AMQP_HOST:$AMQP_PORT"; return; fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    if can_apt; then apt_install rabbitmq-server
    else
      say "RabbitMQ is not running on $AMQP_HOST:$AMQP_PORT and cannot be installed from here."
      say "Install RabbitMQ 3.10+ (quorum queues) and start it (Debian: sudo apt-get install rabbitmq-server;"
      say "macOS: brew install rabbitmq && brew services start rabbitmq), with the guest user on localhost."
      exit 1
    fi
  fi
  say "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_port "$AMQP_HOST" "$AMQP_PORT" RabbitMQ 120
  rabbitmqctl await_startup >/dev/null 2>&1 || true
  say "RabbitMQ is up on $AMQP_HOST:$AMQP_PORT"
}

for service in "$@"; do
  case "$service" in
    postgres) ensure_postgres ;;
    rabbitmq) ensure_rabbitmq ;;
    *) say "unknown service $service (postgres, rabbitmq)"; exit 2 ;;
  esac
done
