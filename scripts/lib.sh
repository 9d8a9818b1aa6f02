# shellcheck shell=bash
# Shared set-up for scripts/run and scripts/test: finds Odoo 19.0, prepares the
# virtualenv, makes sure PostgreSQL answers.  Sourced, never executed.

set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The addon and its optional spreadsheet dashboard bridge (installed with it here).
ADDONS=(stueber_helpdesk stueber_helpdesk_spreadsheet_dashboard)
MODULES=$(IFS=,; echo "${ADDONS[*]}")
ODOO_SRC=${ODOO_SRC:-$HOME/odoo-19.0}
STUEBER_VENV=${STUEBER_VENV:-$HOME/.cache/stueber_helpdesk/venv}
ODOO_GIT_URL=https://github.com/odoo/odoo.git
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-$(id -un)}
export PGHOST PGPORT PGUSER

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

is_odoo19_tree() {
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] &&
        grep -q "^version_info = (19, 0," "$1/odoo/release.py"
}

ensure_odoo() {
    if is_odoo19_tree "$ODOO_SRC"; then
        echo "Odoo 19.0 found in $ODOO_SRC"
        return
    fi
    [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ] &&
        die "$ODOO_SRC exists but is not an Odoo 19.0 tree. Point ODOO_SRC at an Odoo 19.0 source tree."
    step "No Odoo 19.0 tree in $ODOO_SRC: fetching Odoo 19.0 from $ODOO_GIT_URL (about 1 GB)"
    mkdir -p "$(dirname "$ODOO_SRC")"
    if ! git clone --depth 1 --branch 19.0 --progress "$ODOO_GIT_URL" "$ODOO_SRC"; then
        rm -rf "$ODOO_SRC"
        die "could not fetch Odoo 19.0 from $ODOO_GIT_URL.
       On a machine without access, place an Odoo 19.0 community tree (odoo-bin, odoo/, addons/,
       requirements.txt) somewhere outside this repository and run again with
           ODOO_SRC=/path/to/odoo-19.0 $0"
    fi
}

# Odoo's requirements minus python-ldap: it only serves auth_ldap, which we do
# not use, and it needs LDAP/SASL headers to compile.
odoo_requirements() {
    grep -v '^python-ldap' "$ODOO_SRC/requirements.txt"
}

ensure_venv() {
    local stamp want
    want=$( { odoo_requirements; cat "$REPO_DIR/requirements.txt"; } | sha256sum | cut -c1-16)
    stamp="$STUEBER_VENV/.stueber-requirements"
    if [ -x "$STUEBER_VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        echo "Virtualenv up to date: $STUEBER_VENV"
    else
        step "Preparing the virtualenv $STUEBER_VENV (first time: a few minutes)"
        command -v python3 >/dev/null || die "python3 (3.11 or newer) is required"
        python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
            die "Python 3.11 or newer is required, found $(python3 --version)"
        [ -x "$STUEBER_VENV/bin/python" ] || python3 -m venv "$STUEBER_VENV"
        "$STUEBER_VENV/bin/pip" install --quiet --upgrade pip wheel "setuptools<81"
        "$STUEBER_VENV/bin/pip" install --progress-bar off \
            -r <(odoo_requirements) -r "$REPO_DIR/requirements.txt"
        echo "$want" > "$stamp"
    fi
    PYTHON="$STUEBER_VENV/bin/python"
    export PATH="$STUEBER_VENV/bin:$PATH"
}

ensure_postgres() {
    if pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        :
    elif command -v pg_ctlcluster >/dev/null && [ "$(id -u)" = 0 ] && [ -d /etc/postgresql ]; then
        step "PostgreSQL does not answer on $PGHOST:$PGPORT: starting the local Debian cluster"
        local version
        version=$(ls /etc/postgresql | sort -V | tail -n 1)
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        for _ in $(seq 20); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
    fi
    pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null || die "PostgreSQL does not answer on $PGHOST:$PGPORT.
       Start it (Debian: pg_ctlcluster <version> main start) or set PGHOST/PGPORT/PGUSER."
    [ "$PGUSER" != postgres ] || die "Odoo refuses to run as database user 'postgres': set PGUSER to another role."
    psql -d postgres -tAc 'select 1' >/dev/null 2>&1 || die "PostgreSQL answers but role '$PGUSER' cannot log in.
       Create it: sudo -u postgres createuser --createdb $PGUSER"
}

# Our addons are looked for in $ADDONS_ROOT: this repository, unless a script
# points it at another copy of them (scripts/upgrade_check: an older release).
addons_path() {
    echo "$ODOO_SRC/odoo/addons,$ODOO_SRC/addons,${ADDONS_ROOT:-$REPO_DIR}"
}

# odoo_bin ARGS...: Odoo with our addons and database settings.
odoo_bin() {
    "$PYTHON" "$ODOO_SRC/odoo-bin" --addons-path="$(addons_path)" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --http-interface=127.0.0.1 "$@"
}

db_exists() {
    [ "$(psql -d postgres -tAc "select 1 from pg_database where datname = '$1'")" = 1 ]
}

# module_installed DATABASE [MODULE]   (default: stueber_helpdesk)
module_installed() {
    [ "$(psql -d "$1" -tAc "select 1 from ir_module_module where name = '${2:-stueber_helpdesk}' and state = 'installed'" 2>/dev/null)" = 1 ]
}

# update_addons DATABASE: updates the addons; -i installs the bridge into a
# database made before it existed (and leaves installed modules alone).
update_addons() {
    odoo_bin -d "$1" -i "$MODULES" -u "$MODULES" --stop-after-init --log-level=warn
}
