"""System tests: a real Odoo HTTP server on a free local port, driven over HTTP and JSON-RPC.

The database (``AFTERSALES_TEST_DB``) must already have aftersales_service installed; ``bin/test``
prepares it and sets the variables. The server runs in its own process group and is stopped when
the session ends, whatever happened.
"""

import atexit
import importlib.util
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ADMIN = ("admin", "admin")
ADDON_DIR = Path(__file__).resolve().parent.parent / "aftersales_service"


def _load_rules():
    """Import the addon's ``rules`` package as ``aftersales_rules``, without Odoo or a database.

    The rules are plain Python (standard library only), so their unit tests run anywhere.
    """
    spec = importlib.util.spec_from_file_location(
        "aftersales_rules",
        ADDON_DIR / "rules" / "__init__.py",
        submodule_search_locations=[str(ADDON_DIR / "rules")],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["aftersales_rules"] = module
    spec.loader.exec_module(module)
    return module


_load_rules()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def odoo_db():
    db = os.environ.get("AFTERSALES_TEST_DB")
    if not db:
        pytest.exit("AFTERSALES_TEST_DB is not set: run the system tests through bin/test.", 2)
    return db


@pytest.fixture(scope="session")
def server(odoo_db, tmp_path_factory):
    """Base URL of a live Odoo serving ``odoo_db``."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("odoo") / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        odoo_db,
        f"--db-filter=^{odoo_db}$",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        "--max-cron-threads=0",
        "--workers=0",
        "--log-level=warn",
    ]
    addons = os.environ.get("ODOO_ADDONS_PATH_FULL")
    if addons:
        cmd.append(f"--addons-path={addons}")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, cwd="/", start_new_session=True
        )
    atexit.register(_stop, proc)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"Odoo exited early:\n{log_path.read_text()[-3000:]}")
            try:
                if requests.get(f"{base}/web/login", timeout=60).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Odoo did not answer in time:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        _stop(proc)


class JsonRpc:
    """Minimal JSON-RPC client over Odoo's /jsonrpc endpoint (execute_kw)."""

    _ids = itertools.count(1)

    def __init__(self, base, db, login, password):
        self.base, self.db, self.login, self.password = base, db, login, password
        self.uid = self.call("common", "login", db, login, password)

    def call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": next(self._ids),
        }
        reply = requests.post(f"{self.base}/jsonrpc", json=payload, timeout=60).json()
        if "error" in reply:
            raise RpcError(reply["error"])
        return reply["result"]

    def execute(self, model, method, *args, **kwargs):
        return self.call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )


class RpcError(Exception):
    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.message = data.get("message") or error.get("message", "")
        super().__init__(f"{self.name}: {self.message}")


@pytest.fixture(scope="session")
def admin_rpc(server, odoo_db):
    return JsonRpc(server, odoo_db, *ADMIN)


@pytest.fixture(scope="session")
def make_user(admin_rpc):
    """Create an internal user with the given group XML ids; returns (login, password)."""
    counter = itertools.count(1)

    def _make(*group_xmlids):
        login = f"systest_{os.getpid()}_{next(counter)}"
        group_ids = []
        for xmlid in group_xmlids:
            module, name = xmlid.split(".")
            group_ids.append(
                admin_rpc.execute("ir.model.data", "check_object_reference", module, name)[1]
            )
        admin_rpc.execute(
            "res.users",
            "create",
            {
                "name": login,
                "login": login,
                "password": login + "-pw",
                "groups_id": [(6, 0, group_ids)],
            },
        )
        return login, login + "-pw"

    return _make
