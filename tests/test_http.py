"""The addon as a user meets it: a live server, its login page, RPC with and without rights."""

import requests
from conftest import JsonRpc, RpcError


def test_login_page_is_served(server):
    reply = requests.get(f"{server}/web/login", timeout=30)
    assert reply.status_code == 200
    assert 'name="login"' in reply.text


def test_addon_is_installed(admin_rpc):
    state = admin_rpc.execute(
        "ir.module.module", "search_read", [("name", "=", "aftersales_service")], fields=["state"]
    )
    assert state == [{"id": state[0]["id"], "state": "installed"}]


def test_manager_reads_addon_records_over_rpc(server, odoo_db, make_user):
    login, password = make_user("aftersales_service.group_aftersales_manager")
    rpc = JsonRpc(server, odoo_db, login, password)
    assert rpc.uid
    rules = rpc.execute(
        "aftersales.legal.rule", "search_read", [], fields=["request", "resolution_days"]
    )
    assert rules, "the shipped legal rules are readable by an after-sales manager"
    terms = rpc.execute("aftersales.warranty.term", "search_count", [])
    assert terms >= 1, "demo warranty terms are visible"


def test_user_without_rights_is_refused(server, odoo_db, make_user):
    login, password = make_user("base.group_user")
    rpc = JsonRpc(server, odoo_db, login, password)
    for model in ("aftersales.claim", "aftersales.warranty", "aftersales.legal.rule"):
        try:
            rpc.execute(model, "search_read", [], fields=["id"], limit=1)
        except RpcError as exc:
            assert "AccessError" in exc.name, exc
        else:
            raise AssertionError(f"{model} was readable without after-sales rights")


def test_wrong_password_is_refused(server, odoo_db):
    assert JsonRpc(server, odoo_db, "admin", "not-the-password").uid is False


def test_web_client_session_and_call_kw(server, odoo_db):
    session = requests.Session()
    auth = session.post(
        f"{server}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": odoo_db, "login": "admin", "password": "admin"}},
        timeout=60,
    ).json()
    assert auth["result"]["uid"]
    reply = session.post(
        f"{server}/web/dataset/call_kw/aftersales.claim/search_count",
        json={
            "jsonrpc": "2.0",
            "params": {
                "model": "aftersales.claim",
                "method": "search_count",
                "args": [[]],
                "kwargs": {},
            },
        },
        timeout=60,
    ).json()
    assert "result" in reply and reply["result"] >= 0
    menus = session.post(
        f"{server}/web/dataset/call_kw/ir.ui.menu/search_read",
        json={
            "jsonrpc": "2.0",
            "params": {
                "model": "ir.ui.menu",
                "method": "search_read",
                "args": [[("parent_id", "=", False), ("name", "=", "After-Sales")]],
                "kwargs": {"fields": ["name"]},
            },
        },
        timeout=60,
    ).json()
    assert [m["name"] for m in menus["result"]] == ["After-Sales"]
