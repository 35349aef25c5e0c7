import math

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from .aftersales_claim_guard import claim_workflow

CONCLUSIONS = [
    ("manufacturing_defect", "Manufacturing Defect"),
    ("user_fault", "User Fault"),
    ("no_defect", "No Defect Found"),
]
# Fields only the expertise's actions write.
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "date_sent",
        "date_returned",
        "date_conclusion",
        "conclusion",
        "conclusion_note",
        "picking_id",
        "return_picking_id",
        "cost",
        "cost_bearer",
        "bill_id",
        "invoice_id",
        "report_attachment_id",
    }
)


class AftersalesExpertise(models.Model):
    """An independent examination of a unit when the cause of its defect is disputed.

    Law 2300-1 art. 18 p. 5: the seller organises the expertise at its own cost; when it
    finds the defect arose after the handover through the consumer's fault (or no defect),
    the consumer reimburses its cost. The legal clock of the claim keeps running meanwhile.
    """

    _name = "aftersales.expertise"
    _description = "Independent Expertise"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.workflow.mixin"]  # noqa: RUF012
    _order = "id desc"
    _check_company_auto = True
    _aftersales_workflow_fields = WORKFLOW_FIELDS
    _aftersales_workflow_initial = {"state": "draft"}  # noqa: RUF012
    _aftersales_frozen_fields = frozenset({"claim_id", "company_id"})

    name = fields.Char(default="New", readonly=True, copy=False, required=True, index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    claim_id = fields.Many2one(
        "aftersales.claim", required=True, index=True, check_company=True, ondelete="restrict"
    )
    lot_id = fields.Many2one(related="claim_id.lot_id", string="Serial")
    product_id = fields.Many2one(related="claim_id.product_id")
    partner_id = fields.Many2one(related="claim_id.partner_id", string="Customer")
    claim_state = fields.Selection(related="claim_id.state", string="Claim Status")
    claim_days_left = fields.Integer(
        related="claim_id.days_left",
        string="Claim Days Left",
        help="The legal clock of the claim keeps running during the expertise.",
    )
    expert_id = fields.Many2one("res.partner", tracking=True, index=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("sent", "At the Expert"),
            ("concluded", "Concluded"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        index=True,
        copy=False,
        tracking=True,
    )
    date_sent = fields.Datetime(readonly=True, copy=False)
    date_returned = fields.Datetime(readonly=True, copy=False)
    date_conclusion = fields.Datetime(readonly=True, copy=False)
    conclusion = fields.Selection(CONCLUSIONS, readonly=True, copy=False, tracking=True)
    conclusion_note = fields.Text(readonly=True, copy=False)
    report_attachment_id = fields.Many2one(
        "ir.attachment", string="Expert Report", readonly=True, copy=False
    )
    picking_id = fields.Many2one(
        "stock.picking", string="Unit to Expert", readonly=True, copy=False, check_company=True
    )
    return_picking_id = fields.Many2one(
        "stock.picking", string="Unit Back", readonly=True, copy=False, check_company=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    cost = fields.Monetary(readonly=True, copy=False, tracking=True)
    cost_bearer = fields.Selection(
        [("company", "Company"), ("customer", "Customer")], readonly=True, copy=False
    )
    bill_id = fields.Many2one(
        "account.move", string="Expert's Bill", readonly=True, copy=False, check_company=True
    )
    invoice_id = fields.Many2one(
        "account.move", string="Customer Invoice", readonly=True, copy=False, check_company=True
    )

    _sql_constraints = [  # noqa: RUF012
        (
            "cost_positive",
            "CHECK(cost IS NULL OR cost >= 0)",
            "An expertise cost is never negative.",
        )
    ]

    # ORM ---------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.expertise") or "New"
        return super().create(vals_list)

    def _raise_workflow_fields(self, fnames):
        raise UserError(
            self.env._(
                "Fields %(fields)s of an expertise are set by its actions only (send, "
                "conclude, cancel).",
                fields=", ".join(fnames),
            )
        )

    def _raise_frozen_fields(self, fnames):
        raise UserError(self.env._("The claim of a sent expertise cannot change."))

    def _aftersales_lock_message(self, names):
        return self.env._(
            "Expertise %(names)s is being changed by someone else right now.", names=names
        )

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # Transfers ---------------------------------------------------------------------------

    def _unit_quant(self):
        """Where the claimed unit is on hand with us (the Units in Service location first)."""
        self.ensure_one()
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search(
                [
                    ("lot_id", "=", self.lot_id.id),
                    ("location_id.usage", "=", "internal"),
                    ("company_id", "=", self.company_id.id),
                    ("quantity", ">", 0),
                ]
            )
        )
        return quants.sorted(lambda q: not q.location_id.aftersales_units_in_service)[:1]

    def _prepare_picking_vals(self, purpose, source, destination, picking_type, owner, origin):
        """A transfer of the claimed unit to or from the expert. Its purpose keeps it out of
        warranty registration; the unit stays its owner's (``owner_id``)."""
        self.ensure_one()
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.expert_id.id,
            "owner_id": owner.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "origin": f"{self.name} ({self.claim_id.name})",
            "company_id": self.company_id.id,
            "aftersales_purpose": purpose,
            "aftersales_claim_id": self.claim_id.id,
            "move_ids": [
                Command.create(
                    {
                        "name": self.name,
                        "product_id": self.product_id.id,
                        "product_uom_qty": 1,
                        "product_uom": self.product_id.uom_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "partner_id": self.expert_id.id,
                        "restrict_partner_id": owner.id,
                        "company_id": self.company_id.id,
                        "origin_returned_move_id": origin.id if origin else False,
                        "to_refund": False,
                    }
                )
            ],
        }

    def _validate_unit_picking(self, vals, owner):
        picking = self.env["stock.picking"].sudo().create(vals)
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].sudo().create(
            {
                "move_id": move.id,
                "picking_id": picking.id,
                "product_id": move.product_id.id,
                "product_uom_id": move.product_uom.id,
                "lot_id": self.lot_id.id,
                "owner_id": owner.id,
                "quantity": 1,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "company_id": move.company_id.id,
            }
        )
        move.picked = True
        res = picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        if res is not True or picking.state != "done":
            raise UserError(
                self.env._("Transfer %(picking)s could not be validated.", picking=picking.name)
            )
        return picking

    # Actions -----------------------------------------------------------------------------

    def action_send(self):
        """Ship the unit to the expert (a validated transfer from where it is) → ``sent``."""
        records = self._aftersales_lock()
        for exp in records:
            if exp.state != "draft":
                raise UserError(
                    self.env._(
                        "Expertise %(name)s was already sent (state %(state)s).",
                        name=exp.name,
                        state=exp._state_label(),
                    )
                )
            if exp.claim_id.state != "diagnosis":
                raise UserError(
                    self.env._("Claim %(claim)s is not in diagnosis.", claim=exp.claim_id.name)
                )
            if not exp.expert_id:
                raise UserError(self.env._("Choose the expert of %(name)s first.", name=exp.name))
            if not exp.lot_id or not exp._unit_quant():
                raise UserError(
                    self.env._(
                        "The unit of claim %(claim)s is not in the warehouse: receive it first "
                        "(the intake of its service order).",
                        claim=exp.claim_id.name,
                    )
                )
        for exp in records:
            quant = exp._unit_quant()
            warehouse = quant.location_id.warehouse_id or exp.claim_id._warehouse()
            destination = exp.expert_id.with_company(
                exp.company_id
            ).property_stock_customer or self.env.ref("stock.stock_location_customers")
            picking = exp._validate_unit_picking(
                exp._prepare_picking_vals(
                    "expertise_out",
                    quant.location_id,
                    destination,
                    warehouse.out_type_id,
                    quant.owner_id,
                    None,
                ),
                quant.owner_id,
            )
            exp._aftersales_workflow_write(
                {"state": "sent", "date_sent": fields.Datetime.now(), "picking_id": picking.id}
            )
        return True

    def action_conclude(self, conclusion, cost=0.0, note=False, report=None):
        """Record the expert's conclusion and route the claim (→ ``concluded``).

        - ``manufacturing_defect``: the claim stays in (or returns to) diagnosis, ready for
          a decision; the company bears the cost (Law 2300-1 art. 18 p. 5).
        - ``user_fault`` / ``no_defect``: the claim is rejected with the conclusion as the
          reason; the customer bears the cost: a draft customer invoice (art. 18 p. 5).
        The expert's own bill is a draft vendor bill either way (cost > 0). The unit comes
        back from the expert by ``return_picking_id``. ``report``: (file name, base64 data)
        of the expert's report, attached to the expertise.
        """
        conclusions = dict(CONCLUSIONS)
        if conclusion not in conclusions:
            raise UserError(self.env._("Unknown conclusion %(c)s.", c=conclusion))
        if cost in (None, False):
            cost = 0.0
        if isinstance(cost, bool) or not isinstance(cost, (int, float)):
            raise UserError(self.env._("The cost of an expertise must be a number."))
        if not math.isfinite(cost) or cost < 0:
            raise UserError(self.env._("The cost of an expertise cannot be negative."))
        records = self._aftersales_lock()
        for exp in records:
            exp.claim_id._check_manager()
            if exp.state != "sent":
                raise UserError(
                    self.env._(
                        "Expertise %(name)s cannot be concluded in state %(state)s.",
                        name=exp.name,
                        state=exp._state_label(),
                    )
                )
            if conclusion != "manufacturing_defect" and not exp.claim_id.can_decide:
                raise UserError(
                    self.env._(
                        "Claim %(claim)s is no longer in diagnosis: it cannot be rejected.",
                        claim=exp.claim_id.name,
                    )
                )
        for exp in records:
            exp._conclude_one(conclusion, float(cost), note, report)
        return True

    def _conclude_one(self, conclusion, cost, note, report):
        self.ensure_one()
        label = dict(CONCLUSIONS)[conclusion]
        bearer = "company" if conclusion == "manufacturing_defect" else "customer"
        vals = {
            "state": "concluded",
            "conclusion": conclusion,
            "conclusion_note": note or False,
            "cost": cost,
            "cost_bearer": bearer,
            "date_conclusion": fields.Datetime.now(),
        }
        out = self.picking_id
        if out.state == "done":
            owner = out.move_line_ids.owner_id[:1]
            back = self._validate_unit_picking(
                self._prepare_picking_vals(
                    "expertise_in",
                    out.location_dest_id,
                    out.location_id,
                    out.picking_type_id.warehouse_id.in_type_id or out.picking_type_id,
                    owner,
                    out.move_ids[:1],
                ),
                owner,
            )
            vals.update(return_picking_id=back.id, date_returned=fields.Datetime.now())
        if report and report[1]:
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": report[0] or self.env._("Expert report"),
                        "datas": report[1],
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
            )
            vals["report_attachment_id"] = attachment.id
        Move = self.env["account.move"].sudo().with_company(self.company_id)
        if cost:
            vals["bill_id"] = Move.create(self._prepare_bill_vals(cost)).id
            if bearer == "customer" and self.partner_id:
                vals["invoice_id"] = Move.create(self._prepare_customer_invoice_vals(cost)).id
        self._aftersales_workflow_write(vals)
        reason = self.env._(
            "Independent expertise %(name)s: %(conclusion)s.", name=self.name, conclusion=label
        )
        if note:
            reason = f"{reason} {note}"
        claim = self.claim_id
        if bearer == "customer":
            claim.action_decide("reject", reason=reason)
        else:
            if claim.state == "new":
                with claim_workflow():
                    claim.write({"state": "diagnosis"})
            claim._post_note(
                self.env._(
                    "%(reason)s The claim is ready for a decision, at the company's cost.",
                    reason=reason,
                )
            )
        self.message_post(body=reason)

    def _expertise_product(self):
        return self.env.ref(
            "aftersales_service.product_aftersales_expertise", raise_if_not_found=False
        )

    def _prepare_bill_vals(self, cost):
        """The expert's draft vendor bill (whoever bears the cost, the company pays the
        expert: art. 18 p. 5 Law 2300-1 puts the expertise on the seller)."""
        product = self._expertise_product()
        line = {"name": self.env._("Expertise %s", self.name), "quantity": 1, "price_unit": cost}
        if product:
            line["product_id"] = product.id
        return {
            "move_type": "in_invoice",
            "partner_id": self.expert_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "invoice_line_ids": [Command.create(line)],
        }

    def _prepare_customer_invoice_vals(self, cost):
        """The customer reimburses the expertise when it found the defect is not the
        seller's liability (Law 2300-1 art. 18 p. 5): a draft customer invoice."""
        product = self._expertise_product()
        line = {
            "name": self.env._(
                "Independent expertise %(name)s (claim %(claim)s)",
                name=self.name,
                claim=self.claim_id.name,
            ),
            "quantity": 1,
            "price_unit": cost,
        }
        if product:
            line["product_id"] = product.id
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.claim_id.name,
            "ref": self.name,
            "invoice_line_ids": [Command.create(line)],
        }

    def action_cancel(self):
        records = self._aftersales_lock()
        for exp in records:
            if exp.state != "draft":
                raise UserError(
                    self.env._(
                        "Only an expertise not sent yet can be cancelled; %(name)s is %(state)s.",
                        name=exp.name,
                        state=exp._state_label(),
                    )
                )
        records._aftersales_workflow_write({"state": "cancel"})
        return True

    def action_open_conclude(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Conclude Expertise"),
            "res_model": "aftersales.expertise.conclude",
            "view_mode": "form",
            "target": "new",
            "context": {"default_expertise_id": self.id},
        }
