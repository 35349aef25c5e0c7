"""Independent expertise (issue #13): the unit goes to the expert and back, the conclusion
routes the claim, and the invoices follow Law 2300-1 art. 18 p. 5."""

import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_loaners import LoanerCommon


@tagged("post_install", "-at_install")
class TestExpertise(LoanerCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expert = cls.env["res.partner"].create({"name": "Independent Lab LLC"})
        cls.warranty_term_ids = cls.env["aftersales.warranty"].search([]).ids

    def _sent_expertise(self, lot=None):
        """A claim in diagnosis, its unit received by the service order, sent to the expert."""
        claim = self._create_claim(self.customer_ru, lot=lot or self.lot_warranty)
        order = claim.action_create_repair()
        self.assertEqual(claim.state, "diagnosis")
        self._receive(order)
        self.assertEqual(self._qty(claim.lot_id, self.service_location), 1)
        action = claim.with_user(self.frontdesk).action_new_expertise()
        expertise = self.env["aftersales.expertise"].browse(action["res_id"])
        self.assertEqual(expertise.state, "draft")
        expertise.with_user(self.frontdesk).expert_id = self.expert
        expertise.with_user(self.frontdesk).action_send()
        return claim, expertise

    def _amounts(self, move):
        return (move.move_type, move.partner_id, move.amount_untaxed, move.state)

    def test_send_and_manufacturing_defect(self):
        claim, expertise = self._sent_expertise()
        lot = claim.lot_id
        self.assertEqual(expertise.state, "sent")
        out = expertise.picking_id
        self.assertEqual(out.state, "done")
        self.assertEqual(out.aftersales_purpose, "expertise_out")
        self.assertEqual(out.partner_id, self.expert)
        self.assertEqual(self._qty(lot, self.service_location), 0)
        self.assertEqual(out.move_line_ids.owner_id, self.customer_ru)
        # The legal clock keeps running: the claim shows its days next to the status.
        self.assertEqual(expertise.claim_days_left, claim.days_left)
        self.assertEqual(claim.expertise_state, "sent")
        self.assertFalse(claim.can_request_expertise)
        layers_before = self.env["aftersales.warranty"].search_count([("lot_id", "=", lot.id)])

        report = base64.b64encode(b"%PDF-1.4 expert report")
        expertise.with_user(self.manager).action_conclude(
            "manufacturing_defect",
            cost=300.0,
            note="Faulty control board",
            report=("r.pdf", report),
        )
        self.assertEqual(expertise.state, "concluded")
        self.assertEqual(expertise.cost_bearer, "company")
        self.assertEqual(claim.state, "diagnosis")
        self.assertTrue(claim.can_decide)
        back = expertise.return_picking_id
        self.assertEqual(back.state, "done")
        self.assertEqual(back.aftersales_purpose, "expertise_in")
        self.assertEqual(self._qty(lot, self.service_location), 1)
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", self.service_location.id)]
        )
        self.assertEqual(quant.owner_id, self.customer_ru)
        self.assertEqual(
            self._amounts(expertise.bill_id), ("in_invoice", self.expert, 300.0, "draft")
        )
        self.assertFalse(expertise.invoice_id)
        self.assertEqual(expertise.report_attachment_id.res_id, expertise.id)
        # No warranty layer registered or voided by the round trip.
        self.assertEqual(
            self.env["aftersales.warranty"].search_count([("lot_id", "=", lot.id)]), layers_before
        )

    def test_user_fault_rejects_and_invoices_customer(self):
        claim, expertise = self._sent_expertise()
        expertise.with_user(self.manager).action_conclude("user_fault", cost=250.0, note="Dropped")
        self.assertEqual(claim.state, "rejected")
        self.assertEqual(claim.decision, "reject")
        self.assertIn(expertise.name, claim.decision_reason)
        self.assertIn("Dropped", claim.decision_reason)
        self.assertEqual(expertise.cost_bearer, "customer")
        self.assertEqual(
            self._amounts(expertise.invoice_id), ("out_invoice", self.customer_ru, 250.0, "draft")
        )
        self.assertEqual(
            self._amounts(expertise.bill_id), ("in_invoice", self.expert, 250.0, "draft")
        )

    def test_no_defect_without_cost(self):
        claim, expertise = self._sent_expertise(lot=self.lot_warranty_2)
        expertise.with_user(self.manager).action_conclude("no_defect")
        self.assertEqual(claim.state, "rejected")
        self.assertFalse(expertise.bill_id)
        self.assertFalse(expertise.invoice_id)

    def test_bad_input_changes_nothing(self):
        claim, expertise = self._sent_expertise()
        for conclusion, cost in (("broken", 0.0), ("user_fault", -1.0), ("user_fault", "x")):
            with self.assertRaises(UserError):
                expertise.with_user(self.manager).action_conclude(conclusion, cost=cost)
        # The front desk sends, only a manager concludes (it decides the claim).
        with self.assertRaises(AccessError):
            expertise.with_user(self.frontdesk).action_conclude("user_fault", cost=10.0)
        self.assertEqual(expertise.state, "sent")
        self.assertEqual(claim.state, "diagnosis")
        self.assertFalse(expertise.bill_id)
        with self.assertRaises(UserError):
            expertise.action_send()  # twice
        with self.assertRaises(UserError):
            expertise.write({"state": "concluded"})
        expertise.with_user(self.manager).action_conclude("manufacturing_defect", cost=100.0)
        bill = expertise.bill_id
        with self.assertRaises(UserError):
            expertise.with_user(self.manager).action_conclude("user_fault", cost=100.0)
        self.assertEqual(expertise.conclusion, "manufacturing_defect")
        self.assertEqual(expertise.bill_id, bill)
        self.assertEqual(claim.state, "diagnosis")
        # Conclude before sending; send for a claim not in diagnosis.
        draft = self.env["aftersales.expertise"].create(
            {"claim_id": claim.id, "expert_id": self.expert.id}
        )
        with self.assertRaises(UserError):
            draft.action_conclude("no_defect")
        claim_new = self._create_claim(self.customer_ru, lot=self.lot_billable)
        with self.assertRaises(UserError):
            self.env["aftersales.expertise"].create(
                {"claim_id": claim_new.id, "expert_id": self.expert.id}
            ).action_send()
        with self.assertRaises(UserError):
            claim_new.action_new_expertise()

    def test_access(self):
        claim, expertise = self._sent_expertise()
        self.assertEqual(expertise.with_user(self.technician).read(["state"])[0]["state"], "sent")
        with self.assertRaises(AccessError):
            self.env["aftersales.expertise"].with_user(self.technician).create(
                {"claim_id": claim.id}
            )
        portal = self.env["res.users"].create(
            {
                "name": "Expertise Portal",
                "login": "exp_portal",
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["aftersales.expertise"].with_user(portal).search([])
