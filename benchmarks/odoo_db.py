"""What the benchmarks share: Odoo's command-line options for a database and
a database with stueber_helpdesk installed."""

import getpass
import os
import subprocess
import sys

ODOO_SRC = os.environ.get("ODOO_SRC", os.path.expanduser("~/odoo-19.0"))
REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def odoo_options(db):
    """Addons path and PostgreSQL connection (PGHOST/PGPORT/PGUSER, as scripts/run) for ``db``."""
    return [
        f"--addons-path={ODOO_SRC}/odoo/addons,{ODOO_SRC}/addons,{REPO_DIR}",
        f"--db_host={os.environ.get('PGHOST', '127.0.0.1')}",
        f"--db_port={os.environ.get('PGPORT', '5432')}",
        f"--db_user={os.environ.get('PGUSER', getpass.getuser())}",
        f"--database={db}",
    ]


def ensure_database(db):
    """Install stueber_helpdesk into ``db`` unless it is there already."""
    installed = subprocess.run(
        [
            "psql",
            "-d",
            db,
            "-tAc",
            "select 1 from ir_module_module where name='stueber_helpdesk' and state='installed'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.stdout.strip() == "1":
        return
    print(f"Creating database {db} with stueber_helpdesk (about a minute)...", flush=True)
    subprocess.run(
        [
            sys.executable,
            f"{ODOO_SRC}/odoo-bin",
            *odoo_options(db),
            "-i",
            "stueber_helpdesk",
            "--stop-after-init",
            "--http-interface=127.0.0.1",
            "--log-level=warn",
        ],
        check=True,
    )
