#!/usr/bin/env bash
# Creates one login role and one database per service, each role owning its
# database. Run by the postgres:15 image's entrypoint from
# /docker-entrypoint-initdb.d/ -- only when the data volume is empty (first
# start). To change a password later use ALTER ROLE (see deploy/README.md).
#
# Passwords come from the container environment (set in compose.yaml);
# they are passed to psql as variables and quoted by psql/format(), never
# spliced into SQL by the shell.
set -euo pipefail

create_service_database() {
    local name="$1" password="$2"
    if [ -z "$password" ]; then
        echo "init-databases: empty password for role '$name'" >&2
        return 1
    fi
    echo "init-databases: role + database '$name'"
    psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
        --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
        --set=svc="$name" --set=pw="$password" <<'EOSQL'
SELECT format('CREATE ROLE %I LOGIN', :'svc')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'svc')\gexec
ALTER ROLE :"svc" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'svc', :'svc')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'svc')\gexec
-- Only the owner (and superusers) may connect: the other services' roles
-- cannot even open this database.
REVOKE ALL ON DATABASE :"svc" FROM PUBLIC;
EOSQL
}

create_service_database gateway       "${GATEWAY_DB_PASSWORD:?GATEWAY_DB_PASSWORD is not set}"
create_service_database insurer_volga "${INSURER_VOLGA_DB_PASSWORD:?INSURER_VOLGA_DB_PASSWORD is not set}"
create_service_database insurer_taiga "${INSURER_TAIGA_DB_PASSWORD:?INSURER_TAIGA_DB_PASSWORD is not set}"
create_service_database registry      "${REGISTRY_DB_PASSWORD:?REGISTRY_DB_PASSWORD is not set}"
create_service_database payments      "${PAYMENTS_DB_PASSWORD:?PAYMENTS_DB_PASSWORD is not set}"
