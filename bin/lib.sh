# shellcheck shell=bash
# Shared helpers for bin/run and bin/test: find Odoo 18, find or start PostgreSQL.
# Sourced, not executed. Every failure is one sentence on stderr and exit 2, never a traceback.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}

die() {
    printf '%s\n' "$*" >&2
    exit 2
}

# Odoo 18.0 must be importable by $PYTHON; its addons folder is found next to the package
# (source checkout) or inside it (pip install), plus any ODOO_ADDONS_PATH the user gives.
require_odoo() {
    command -v "$PYTHON" >/dev/null 2>&1 \
        || die "Python 3 ('$PYTHON') is not installed: install Python 3.10-3.12 and Odoo 18.0 (see README, 'Installing Odoo')."
    local probe
    if ! probe=$(cd / && "$PYTHON" - 2>/dev/null <<'PY'
import os
import odoo.release as r
pkg = os.path.dirname(os.path.abspath(r.__file__))
paths = [p for p in (os.path.join(os.path.dirname(pkg), "addons"), os.path.join(pkg, "addons"))
         if os.path.isdir(os.path.join(p, "repair"))]
print(r.version_info[0], ",".join(paths))
PY
    ); then
        die "Odoo is not importable by '$PYTHON': install Odoo 18.0 Community and its Python requirements, or point PYTHON at the interpreter that has it (see README, 'Installing Odoo')."
    fi
    local major=${probe%% *}
    ODOO_HOST_ADDONS=${probe#* }
    [[ $major == 18 ]] \
        || die "Odoo $major is installed, but aftersales_service needs Odoo 18.0 Community: install 18.0 (see README, 'Installing Odoo')."
    ADDONS_PATH=$REPO_ROOT
    [[ -n $ODOO_HOST_ADDONS ]] && ADDONS_PATH=$ADDONS_PATH,$ODOO_HOST_ADDONS
    [[ -n ${ODOO_ADDONS_PATH:-} ]] && ADDONS_PATH=$ADDONS_PATH,$ODOO_ADDONS_PATH
    export ADDONS_PATH
}

# Run a command as the postgres system user when we are root (PostgreSQL refuses to run as root).
as_pg_owner() {
    if [[ $(id -u) == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_bindir() {
    local d
    for d in "$(pg_config --bindir 2>/dev/null)" /usr/lib/postgresql/*/bin; do
        [[ -x $d/initdb && -x $d/pg_ctl ]] && { echo "$d"; return 0; }
    done
    return 1
}

# A configured server is used as it is (PGHOST/PGPORT/PGUSER/PGPASSWORD, as for psql).
# Otherwise a private cluster is created under $1 (kept between runs) and started on a
# Unix socket inside it, with a role named after ODOO_DB_USER (default "odoo").
start_pg() {
    local datadir=$1
    if [[ -n ${PGHOST:-} ]]; then
        PG_MANAGED=0
        "$PYTHON" -c 'import psycopg2; psycopg2.connect(dbname="postgres").close()' 2>/dev/null \
            || die "PostgreSQL at PGHOST=$PGHOST is not reachable (or refuses user ${PGUSER:-$(id -un)}): start it or fix PGHOST/PGPORT/PGUSER/PGPASSWORD."
        [[ ${PGUSER:-} == postgres ]] && die "Odoo refuses to connect as the 'postgres' role: set PGUSER to another role that may create databases."
        return 0
    fi
    local bindir
    bindir=$(pg_bindir) || die "PostgreSQL server binaries (initdb, pg_ctl) are not installed: install PostgreSQL 13+ (e.g. the 'postgresql' package) or set PGHOST to a running server."
    PG_MANAGED=1
    mkdir -p "$datadir"
    if [[ $(id -u) == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "Running as root needs the 'postgres' system user to own the local cluster: install PostgreSQL's server package or set PGHOST."
        chown postgres: "$datadir"
        runuser -u postgres -- test -w "$datadir" \
            || die "The 'postgres' user cannot write $datadir (a parent folder is closed to it): set AFTERSALES_PGDATA to a folder it can reach, or set PGHOST."
    fi
    if [[ ! -f $datadir/PG_VERSION ]]; then
        as_pg_owner "$bindir/initdb" -D "$datadir" -U pgadmin --auth=trust -E UTF8 --locale=C.UTF-8 >"$datadir.initdb.log" 2>&1 \
            || die "initdb failed for $datadir (see $datadir.initdb.log)."
    fi
    local port=${AFTERSALES_PGPORT:-54329}
    if ! as_pg_owner "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
        as_pg_owner "$bindir/pg_ctl" -D "$datadir" -w -t 60 -l "$datadir/server.log" \
            -o "-k $datadir -c listen_addresses='' -p $port -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >/dev/null \
            || die "PostgreSQL did not start from $datadir (see $datadir/server.log)."
    fi
    export PGHOST=$datadir PGPORT=$port
    local role=${ODOO_DB_USER:-odoo}
    as_pg_owner "$bindir/psql" -h "$PGHOST" -p "$PGPORT" -U pgadmin -d postgres -tAc \
        "DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='$role') THEN CREATE ROLE \"$role\" LOGIN SUPERUSER; END IF; END\$\$" >/dev/null \
        || die "Could not create the database role '$role' in the local cluster."
    export PGUSER=$role
    PG_DATADIR=$datadir
    PG_BINDIR=$bindir
}

stop_pg() {
    if [[ ${PG_MANAGED:-0} == 1 && -n ${PG_DATADIR:-} ]]; then
        as_pg_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATADIR" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

free_port() {
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

db_exists() {
    "$PYTHON" - "$1" <<'PY'
import sys, psycopg2
con = psycopg2.connect(dbname="postgres")
cur = con.cursor()
cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (sys.argv[1],))
sys.exit(0 if cur.fetchone() else 1)
PY
}
