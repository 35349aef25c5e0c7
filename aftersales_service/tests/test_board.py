from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestTechnicianBoard(AftersalesCommon):
    """My Service Orders: the technician's columns follow the workflow, not the keys' spelling."""

    def test_board_columns_in_workflow_order(self):
        orders = self.env["repair.order"].create(
            [
                {"partner_id": self.customer_ru.id, "user_id": self.technician.id},
                {"partner_id": self.customer_eu.id, "user_id": self.technician.id},
            ]
        )
        orders[1].action_validate()
        board = (
            self.env["repair.order"]
            .with_user(self.technician)
            .web_read_group(
                [("user_id", "=", self.technician.id), ("state", "!=", "cancel")],
                ["state"],
                ["state"],
            )
        )
        columns = [(group["state"], group["state_count"]) for group in board["groups"]]
        self.assertEqual(
            columns, [("draft", 1), ("confirmed", 1), ("under_repair", 0), ("done", 0)]
        )
