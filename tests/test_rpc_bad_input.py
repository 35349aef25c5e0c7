"""Bad input over JSON-RPC against the live server (issue #11, "The evidence").

Each case is what an RPC client, a careless user or a user of the wrong role can send. Every
case must end in a clean Odoo error — ``UserError``, ``ValidationError``, ``AccessError`` or
``MissingError`` in the JSON-RPC error data, never a ``TypeError`` / ``ValueError`` /
``OverflowError`` / ``KeyError`` / psycopg2 traceback — and leave the database as it was: the
row counts of the models an action could touch and the values of the rows it aims at are read
(as admin) before and after.

The cases run against the demo database; the users of each role are created once, over RPC,
as admin.
"""

import json
import math
import os
from dataclasses import dataclass, field

import pytest
import requests
from conftest import JsonRpc, RpcError

CLEAN_ERRORS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.MissingError",
}
NAN, INF = math.nan, math.inf
# Models whose row counts must not move when a bad call is refused.
COUNTED = (
    "aftersales.claim",
    "aftersales.warranty",
    "aftersales.warranty.term",
    "aftersales.legal.rule",
    "aftersales.labor.line",
    "repair.order",
    "stock.picking",
    "stock.move",
    "stock.lot",
    "account.move",
)
CLAIM_FIELDS = [
    "state",
    "decision",
    "decision_amount",
    "decision_user_id",
    "refund_move_ids",
    "unit_price",
    "penalty_amount",
    "request",
    "channel",
    "lot_id",
    "partner_id",
    "summary",
]
ORDER_FIELDS = [
    "state",
    "aftersales_invoiced",
    "aftersales_invoice_id",
    "aftersales_warranty_move_id",
    "aftersales_cost_logistics",
    "aftersales_parts_coverage",
    "aftersales_labor_coverage",
    "aftersales_coverage_reason",
    "aftersales_intake_picking_id",
    "aftersales_parts_picking_ids",
    "aftersales_claim_id",
    "user_id",
]
TERM_FIELDS = ["duration", "duration_unit", "kind", "parts_coverage", "labor_coverage", "name"]
RULE_FIELDS = ["resolution_days", "response_days", "penalty_rate", "name"]
WARRANTY_FIELDS = [
    "state",
    "date_start",
    "date_end",
    "downtime_days",
    "parts_coverage",
    "partner_id",
]
MOVE_FIELDS = [
    "aftersales_coverage",
    "aftersales_coverage_overridden",
    "aftersales_coverage_manual",
]
LABOR_TEMPLATE = {"hours": 1.0, "name": "bad input"}


class RawJsonRpc(JsonRpc):
    """A client that sends what it is given: ``NaN``, ``Infinity`` and ``-Infinity`` go out as
    the bare JSON tokens a careless client writes (``requests``' ``json=`` refuses them,
    Python's ``json`` module, like many clients, writes them and Odoo's parser reads them)."""

    def call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": next(self._ids),
        }
        reply = requests.post(
            f"{self.base}/jsonrpc",
            data=json.dumps(payload, allow_nan=True),
            headers={"Content-Type": "application/json"},
            timeout=60,
        ).json()
        if "error" in reply:
            raise RpcError(reply["error"])
        return reply["result"]


@dataclass
class Case:
    """One bad call: ``args``/``kwargs`` are functions of the fixture dict ``r``."""

    name: str
    role: str
    model: str
    method: str
    args: object
    kwargs: object = None
    rows: list = field(default_factory=list)  # [(model, xmlid-key, fields)]


def _labor(hours):
    return lambda r: [
        dict(LABOR_TEMPLATE, repair_id=r["order_open"], product_id=r["labor"], hours=hours)
    ]


def _term(**vals):
    base = {"name": "bad term", "kind": "manufacturer", "duration": 2, "duration_unit": "year"}
    return lambda r: [dict(base, **vals)]


def _rule(**vals):
    base = {"name": "bad rule", "request": "repair", "resolution_days": 10}
    return lambda r: [dict(base, **vals)]


def _claim(**vals):
    return lambda r: [
        dict({"partner_id": r["partner"], "lot_id": r["lot_new"], "request": "repair"}, **vals)
    ]


def _write(key, vals):
    return lambda r: [[r[key]], vals]


ORDER_OPEN = [("repair.order", "order_open", ORDER_FIELDS)]
ORDER_DONE = [("repair.order", "order_done", ORDER_FIELDS)]
ORDER_BILLED = [("repair.order", "order_billed", ORDER_FIELDS)]
CLAIM_DIAG = [("aftersales.claim", "claim_diagnosis", CLAIM_FIELDS)]
CLAIM_DONE = [("aftersales.claim", "claim_done", CLAIM_FIELDS)]
CLAIM_NEW = [("aftersales.claim", "claim_new", CLAIM_FIELDS)]
TERM = [("aftersales.warranty.term", "term", TERM_FIELDS)]
RULE = [("aftersales.legal.rule", "rule", RULE_FIELDS)]
LAYER = [("aftersales.warranty", "warranty", WARRANTY_FIELDS)]

CASES = [
    # --- wrong types -------------------------------------------------------------------------
    Case(
        "labor hours as text",
        "desk",
        "aftersales.labor.line",
        "create",
        _labor("abc"),
        rows=ORDER_OPEN,
    ),
    Case(
        "labor hours as list",
        "desk",
        "aftersales.labor.line",
        "create",
        _labor([1, 2]),
        rows=ORDER_OPEN,
    ),
    Case(
        "logistics cost as text",
        "manager",
        "repair.order",
        "write",
        _write("order_open", {"aftersales_cost_logistics": "ten"}),
        rows=ORDER_OPEN,
    ),
    Case(
        "term duration as text",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(duration="twelve"),
    ),
    Case(
        "term coverage as text",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(parts_coverage="half"),
    ),
    Case("claim partner as text", "desk", "aftersales.claim", "create", _claim(partner_id="abc")),
    Case(
        "claim serial as list",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_diagnosis", {"lot_id": [1, 2]}),
        rows=CLAIM_DIAG,
    ),
    Case(
        "decision as number",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], 123],
        rows=CLAIM_DIAG,
    ),
    Case(
        "decision amount as text",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "price_reduction", "lots"],
        rows=CLAIM_DIAG,
    ),
    Case(
        "replacement serial as list",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "replace"],
        lambda r: {"replacement_lot_id": [r["lot_new"], r["lot_new"]]},
        rows=CLAIM_DIAG,
    ),
    Case(
        "coverage date as garbage",
        "desk",
        "stock.lot",
        "aftersales_get_coverage",
        lambda r: [[r["lot_new"]], "not a date"],
    ),
    Case(
        "coverage date as number",
        "desk",
        "stock.lot",
        "aftersales_get_coverage",
        lambda r: [[r["lot_new"]], 12345],
    ),
    Case(
        "downtime days as text",
        "manager",
        "aftersales.warranty",
        "add_downtime",
        lambda r: [[r["warranty"]], "many"],
        rows=LAYER,
    ),
    Case(
        "ids as list of lists on read",
        "desk",
        "aftersales.claim",
        "read",
        lambda r: [[[r["claim_new"]]], ["name"]],
    ),
    Case(
        "ids as text on write",
        "desk",
        "aftersales.claim",
        "write",
        lambda r: [["abc"], {"summary": "x"}],
        rows=CLAIM_NEW,
    ),
    Case(
        "order customer as list",
        "desk",
        "repair.order",
        "write",
        lambda r: [[r["order_open"]], {"partner_id": [r["partner"], r["partner"]]}],
        rows=ORDER_OPEN,
    ),
    # --- NaN / Infinity ---------------------------------------------------------------------
    Case(
        "labor hours NaN", "desk", "aftersales.labor.line", "create", _labor(NAN), rows=ORDER_OPEN
    ),
    Case(
        "labor hours Infinity",
        "desk",
        "aftersales.labor.line",
        "create",
        _labor(INF),
        rows=ORDER_OPEN,
    ),
    Case(
        "labor hours -Infinity",
        "desk",
        "aftersales.labor.line",
        "create",
        _labor(-INF),
        rows=ORDER_OPEN,
    ),
    Case(
        "term coverage NaN",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(parts_coverage=NAN),
    ),
    Case(
        "logistics cost NaN",
        "manager",
        "repair.order",
        "write",
        _write("order_open", {"aftersales_cost_logistics": NAN}),
        rows=ORDER_OPEN,
    ),
    Case(
        "logistics cost Infinity",
        "manager",
        "repair.order",
        "write",
        _write("order_open", {"aftersales_cost_logistics": INF}),
        rows=ORDER_OPEN,
    ),
    Case(
        "price reduction NaN",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "price_reduction", NAN],
        rows=CLAIM_DIAG,
    ),
    Case(
        "compensation Infinity",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "compensation", INF],
        rows=CLAIM_DIAG,
    ),
    Case(
        "term coverage Infinity",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(labor_coverage=INF),
    ),
    Case(
        "legal days NaN",
        "manager",
        "aftersales.legal.rule",
        "create",
        _rule(resolution_days=NAN),
    ),
    Case(
        "downtime NaN",
        "manager",
        "aftersales.warranty",
        "add_downtime",
        lambda r: [[r["warranty"]], NAN],
        rows=LAYER,
    ),
    # --- negatives ----------------------------------------------------------------------------
    Case(
        "labor hours negative",
        "desk",
        "aftersales.labor.line",
        "create",
        _labor(-1),
        rows=ORDER_OPEN,
    ),
    Case(
        "logistics cost negative",
        "manager",
        "repair.order",
        "write",
        _write("order_open", {"aftersales_cost_logistics": -50}),
        rows=ORDER_OPEN,
    ),
    Case(
        "term duration negative",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(duration=-1),
    ),
    Case(
        "term coverage negative",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(labor_coverage=-10),
    ),
    Case(
        "legal days negative",
        "manager",
        "aftersales.legal.rule",
        "create",
        _rule(resolution_days=-5),
    ),
    Case(
        "price reduction negative",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "price_reduction", -100],
        rows=CLAIM_DIAG,
    ),
    Case(
        "layer downtime negative",
        "manager",
        "aftersales.warranty",
        "write",
        _write("warranty", {"downtime_days": -3}),
        rows=LAYER,
    ),
    Case(
        "add negative downtime",
        "manager",
        "aftersales.warranty",
        "add_downtime",
        lambda r: [[r["warranty"]], -5],
        rows=LAYER,
    ),
    # --- huge values --------------------------------------------------------------------------
    Case(
        "term of 20,000 years",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(duration=20000),
    ),
    Case(
        "existing term to 20,000 years",
        "manager",
        "aftersales.warranty.term",
        "write",
        _write("term", {"duration": 20000}),
        rows=TERM,
    ),
    Case(
        "legal days 100,000",
        "manager",
        "aftersales.legal.rule",
        "create",
        _rule(resolution_days=100000),
    ),
    Case(
        "labor 1e308 hours",
        "desk",
        "aftersales.labor.line",
        "create",
        _labor(1e308),
        rows=ORDER_OPEN,
    ),
    Case(
        "labor 25 hours on one line",
        "desk",
        "aftersales.labor.line",
        "create",
        _labor(25),
        rows=ORDER_OPEN,
    ),
    Case(
        "price reduction above the price",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "price_reduction", 1_000_000],
        rows=CLAIM_DIAG,
    ),
    Case(
        "compensation 1e308",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "compensation", 1e308],
        rows=CLAIM_DIAG,
    ),
    Case(
        "logistics cost 1e308",
        "manager",
        "repair.order",
        "write",
        _write("order_open", {"aftersales_cost_logistics": 1e308}),
        rows=ORDER_OPEN,
    ),
    Case(
        "term duration 2**40",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(duration=2**40, duration_unit="day"),
    ),
    Case(
        "layer end before start",
        "manager",
        "aftersales.warranty",
        "write",
        _write("warranty", {"date_end": "2000-01-01"}),
        rows=LAYER,
    ),
    Case(
        "layer coverage 150",
        "manager",
        "aftersales.warranty",
        "write",
        _write("warranty", {"parts_coverage": 150}),
        rows=LAYER,
    ),
    Case(
        "term coverage 101",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(parts_coverage=101),
    ),
    # --- repeated ids on actions --------------------------------------------------------------
    Case(
        "decide twice a settled claim",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_done"], r["claim_done"]], "repair"],
        rows=CLAIM_DONE,
    ),
    Case(
        "invoice twice an invoiced order",
        "manager",
        "repair.order",
        "action_aftersales_invoice",
        lambda r: [[r["order_billed"], r["order_billed"]]],
        rows=ORDER_BILLED,
    ),
    Case(
        "issue parts twice on a done order",
        "desk",
        "repair.order",
        "action_aftersales_issue_parts",
        lambda r: [[r["order_billed"], r["order_billed"]]],
        rows=ORDER_BILLED,
    ),
    Case(
        "intake twice on a done order",
        "desk",
        "repair.order",
        "action_aftersales_create_intake",
        lambda r: [[r["order_billed"], r["order_billed"]]],
        rows=ORDER_BILLED,
    ),
    Case(
        "diagnosis twice on a settled claim",
        "desk",
        "aftersales.claim",
        "action_start_diagnosis",
        lambda r: [[r["claim_done"], r["claim_done"]]],
        rows=CLAIM_DONE,
    ),
    # --- workflow fields written directly by the front desk ----------------------------------
    Case(
        "desk writes claim state",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_diagnosis", {"state": "done"}),
        rows=CLAIM_DIAG,
    ),
    Case(
        "desk writes decision",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_diagnosis", {"decision": "refund"}),
        rows=CLAIM_DIAG,
    ),
    Case(
        "desk writes decision amount",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_diagnosis", {"decision_amount": 5000}),
        rows=CLAIM_DIAG,
    ),
    Case(
        "desk writes decision user",
        "desk",
        "aftersales.claim",
        "write",
        lambda r: [[r["claim_diagnosis"]], {"decision_user_id": r["uid_manager"]}],
        rows=CLAIM_DIAG,
    ),
    Case(
        "desk writes penalty",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_diagnosis", {"penalty_amount": 999}),
        rows=CLAIM_DIAG,
    ),
    Case(
        "desk writes unit price",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_diagnosis", {"unit_price": 1}),
        rows=CLAIM_DIAG,
    ),
    Case(
        "desk clears credit notes",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_done", {"refund_move_ids": [(5, 0, 0)]}),
        rows=CLAIM_DONE,
    ),
    Case(
        "desk resets a settled order",
        "desk",
        "repair.order",
        "write",
        _write("order_billed", {"aftersales_invoiced": False}),
        rows=ORDER_BILLED,
    ),
    Case(
        "desk marks an order settled",
        "desk",
        "repair.order",
        "write",
        _write("order_done", {"aftersales_invoiced": True}),
        rows=ORDER_DONE,
    ),
    # --- manager-only actions -----------------------------------------------------------------
    Case(
        "desk decides a claim",
        "desk",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "repair"],
        rows=CLAIM_DIAG,
    ),
    Case(
        "technician decides a claim",
        "tech",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "reject"],
        rows=CLAIM_DIAG,
    ),
    Case(
        "desk overrides order coverage",
        "desk",
        "repair.order",
        "write",
        _write("order_open", {"aftersales_parts_coverage": 100, "aftersales_coverage_reason": "x"}),
        rows=ORDER_OPEN,
    ),
    Case(
        "desk overrides a part line's coverage",
        "desk",
        "stock.move",
        "write",
        lambda r: [
            [r["part_move"]],
            {"aftersales_coverage_overridden": True, "aftersales_coverage_manual": 100},
        ],
        rows=[("stock.move", "part_move", MOVE_FIELDS)],
    ),
    Case(
        "desk voids a layer",
        "desk",
        "aftersales.warranty",
        "action_void",
        lambda r: [[r["warranty"]], "why not"],
        rows=LAYER,
    ),
    Case(
        "technician writes a term",
        "tech",
        "aftersales.warranty.term",
        "write",
        _write("term", {"duration": 1}),
        rows=TERM,
    ),
    # --- go-live registration -----------------------------------------------------------------
    Case(
        "plain user runs go-live",
        "plain",
        "aftersales.warranty",
        "register_past_deliveries",
        lambda r: [],
    ),
    Case(
        "desk runs go-live", "desk", "aftersales.warranty", "register_past_deliveries", lambda r: []
    ),
    Case(
        "portal runs go-live",
        "portal",
        "aftersales.warranty",
        "register_past_deliveries",
        lambda r: [],
    ),
    # --- public methods and what an RPC client sends ------------------------------------------
    Case(
        "transfer to a missing partner id",
        "desk",
        "stock.lot",
        "aftersales_transfer",
        lambda r: [[r["lot_new"]], 999999999],
        rows=LAYER,
    ),
    Case(
        "transfer to a text",
        "desk",
        "stock.lot",
        "aftersales_transfer",
        lambda r: [[r["lot_new"]], "somebody"],
        rows=LAYER,
    ),
    # --- unknown selection values -------------------------------------------------------------
    Case(
        "claim with unknown request",
        "desk",
        "aftersales.claim",
        "create",
        _claim(request="free_money"),
    ),
    Case(
        "claim with unknown channel",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_new", {"channel": "pigeon"}),
        rows=CLAIM_NEW,
    ),
    Case(
        "term with unknown kind",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(kind="lifetime"),
    ),
    Case(
        "term with unknown unit",
        "manager",
        "aftersales.warranty.term",
        "create",
        _term(duration_unit="century"),
    ),
    Case(
        "claim channel as number",
        "desk",
        "aftersales.claim",
        "write",
        _write("claim_new", {"channel": 5}),
        rows=CLAIM_NEW,
    ),
    Case(
        "layer with unknown state",
        "manager",
        "aftersales.warranty",
        "write",
        _write("warranty", {"state": "zombie"}),
        rows=LAYER,
    ),
    Case(
        "unknown decision",
        "manager",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "banish"],
        rows=CLAIM_DIAG,
    ),
    # --- other people's things ----------------------------------------------------------------
    Case(
        "other company reads a claim",
        "other_co",
        "aftersales.claim",
        "read",
        lambda r: [[r["claim_new"]], ["name"]],
    ),
    Case(
        "other company decides a claim",
        "other_co",
        "aftersales.claim",
        "action_decide",
        lambda r: [[r["claim_diagnosis"]], "reject"],
        rows=CLAIM_DIAG,
    ),
    Case(
        "other company writes an order",
        "other_co",
        "repair.order",
        "write",
        _write("order_open", {"aftersales_cost_logistics": 1}),
        rows=ORDER_OPEN,
    ),
    Case(
        "other company rewrites a shared term",
        "other_co",
        "aftersales.warranty.term",
        "write",
        _write("term", {"duration": 1}),
        rows=TERM,
    ),
    Case(
        "other company rewrites a shared legal rule",
        "other_co",
        "aftersales.legal.rule",
        "write",
        _write("rule", {"resolution_days": 1}),
        rows=RULE,
    ),
    Case(
        "portal writes own-looking claim",
        "portal",
        "aftersales.claim",
        "write",
        _write("claim_new", {"summary": "hacked"}),
        rows=CLAIM_NEW,
    ),
    Case(
        "inventory user deletes a service order",
        "stock",
        "repair.order",
        "unlink",
        lambda r: [[r["order_open"]]],
        rows=ORDER_OPEN,
    ),
    Case(
        "inventory user creates a service order",
        "stock",
        "repair.order",
        "create",
        lambda r: [{"product_id": r["washer"], "partner_id": r["partner"]}],
    ),
    Case(
        "inventory user reads costs",
        "stock",
        "repair.order",
        "read",
        lambda r: [[r["order_done"]], ["aftersales_cost_total"]],
    ),
    Case(
        "plain user reads a claim",
        "plain",
        "aftersales.claim",
        "read",
        lambda r: [[r["claim_new"]], ["name"]],
    ),
]

ROLE_GROUPS = {
    "tech": ["aftersales_service.group_aftersales_technician"],
    "desk": ["aftersales_service.group_aftersales_user"],
    "manager": ["aftersales_service.group_aftersales_manager", "account.group_account_invoice"],
    "plain": ["base.group_user"],
    "stock": ["stock.group_stock_user"],
    "portal": ["base.group_portal"],
    "other_co": ["aftersales_service.group_aftersales_manager"],
}
XMLIDS = {
    "claim_new": "demo_claim_new",
    "claim_diagnosis": "demo_claim_diagnosis",
    "claim_done": "demo_claim_done",
    "order_open": "demo_repair_in_progress",
    "order_done": "demo_repair_mixed",
    "order_billed": "demo_repair_billable",
    "term": "demo_warranty_term_legal",
    "lot_new": "demo_lot_washer_03",
    "partner": "demo_partner_ru",
    "washer": "demo_product_washer",
    "labor": "demo_product_labor",
}


@pytest.fixture(scope="session")
def bad_input_env(server, odoo_db, admin_rpc):
    """Fixture ids and one RPC client per role (users created once, as admin)."""
    r = {}
    for key, name in XMLIDS.items():
        r[key] = admin_rpc.execute(
            "ir.model.data", "check_object_reference", "aftersales_service", name
        )[1]
    r["warranty"] = admin_rpc.execute(
        "aftersales.warranty",
        "search",
        [("state", "!=", "void")],
        order="lot_id desc, id",
        limit=1,
    )[0]
    r["rule"] = admin_rpc.execute(
        "aftersales.legal.rule", "search", [("company_id", "=", False)], limit=1
    )[0]
    r["part_move"] = admin_rpc.execute(
        "stock.move",
        "search",
        [("repair_id", "=", r["order_open"]), ("repair_line_type", "=", "add")],
        limit=1,
    )[0]
    company_b = admin_rpc.execute("res.company", "create", {"name": f"Bad Input Co {os.getpid()}"})
    clients = {}
    for role, xmlids in ROLE_GROUPS.items():
        gids = [
            admin_rpc.execute("ir.model.data", "check_object_reference", *x.split("."))[1]
            for x in xmlids
        ]
        login = f"bad_{role}_{os.getpid()}"
        vals = {
            "name": login,
            "login": login,
            "password": login + "-pw",
            "groups_id": [(6, 0, gids)],
        }
        if role == "other_co":
            vals.update(company_id=company_b, company_ids=[(6, 0, [company_b])])
        if role == "portal":
            vals["partner_id"] = admin_rpc.execute(
                "res.partner", "create", {"name": login, "email": f"{login}@example.com"}
            )
        uid = admin_rpc.execute("res.users", "create", vals)
        r[f"uid_{role}"] = uid
        clients[role] = RawJsonRpc(server, odoo_db, login, login + "-pw")
    return r, clients


def _snapshot(admin_rpc, r, rows):
    counts = {
        m: admin_rpc.execute(m, "search_count", [], context={"active_test": False}) for m in COUNTED
    }
    values = {
        (model, key): admin_rpc.execute(model, "read", [r[key]], fields)
        for model, key, fields in rows
    }
    return counts, values


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name.replace(" ", "_")) for c in CASES])
def test_bad_input_is_refused_cleanly(case, bad_input_env, admin_rpc):
    r, clients = bad_input_env
    args = case.args(r)
    kwargs = case.kwargs(r) if case.kwargs else {}
    before = _snapshot(admin_rpc, r, case.rows)
    with pytest.raises(RpcError) as caught:
        clients[case.role].execute(case.model, case.method, *args, **kwargs)
    after = _snapshot(admin_rpc, r, case.rows)
    assert caught.value.name in CLEAN_ERRORS, f"not a clean error: {caught.value}"[:600]
    assert after[0] == before[0], "row counts changed"
    assert after[1] == before[1], "touched rows changed"


def test_there_are_enough_cases():
    assert len(CASES) >= 50
    assert len({c.name for c in CASES}) == len(CASES)


def test_coverage_of_two_serials_answers_per_serial(bad_input_env, admin_rpc):
    """``aftersales_get_coverage`` on two serials: a dict per serial, or a clean "one only"."""
    r, clients = bad_input_env
    lots = admin_rpc.execute("stock.lot", "search", [("product_id", "=", r["washer"])], limit=2)
    before = _snapshot(admin_rpc, r, [])
    try:
        result = clients["desk"].execute("stock.lot", "aftersales_get_coverage", lots)
    except RpcError as exc:
        assert exc.name in CLEAN_ERRORS, str(exc)[:600]
    else:
        assert len(result) == 2, result
        values = result.values() if isinstance(result, dict) else result
        assert all("in_warranty" in v for v in values), result
    assert _snapshot(admin_rpc, r, []) == before


@pytest.mark.parametrize(
    "domain",
    [
        [("aftersales_parts_state", "=", "issued")],
        [("aftersales_parts_state", "!=", "issued")],
        [("aftersales_parts_state", "in", ["ready", "waiting"])],
        [("aftersales_parts_state", "not in", ["ready"])],
        [("aftersales_parts_state", "=", False)],
        [("aftersales_parts_state", "!=", False)],
    ],
    ids=["eq", "ne", "in", "not_in", "is_false", "is_set"],
)
def test_parts_state_search_takes_ui_operators(domain, bad_input_env):
    _r, clients = bad_input_env
    result = clients["desk"].execute("repair.order", "search_count", domain)
    assert isinstance(result, int)
