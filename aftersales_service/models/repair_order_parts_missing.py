from collections import defaultdict

from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class RepairOrderPartsMissing(models.Model):
    """A service order does not end while parts requested from the warehouse are missing.

    The host ends a repair by cancelling the part lines nothing was reserved for: with parts
    issuing, a part still waiting for stock or for a purchase would silently disappear from
    the order (and from the customer's bill and the warranty claim to the supplier), while
    its backorder and purchase stay open. Ending is refused with the list instead; the
    technician waits for the parts, or removes the part lines not needed, which cancels their
    pending issue.
    """

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    def _aftersales_missing_parts(self):
        """{(order, product): quantity (product unit)} requested through an issue that is
        neither issued nor reserved in stock for the issue.

        One query on the orders issuing parts (their pending issue moves); none otherwise.
        """
        issuing = self.filtered("aftersales_parts_issue_mode")
        missing = defaultdict(float)
        if not issuing:
            return missing
        pending = self.env["stock.move"].search(
            [
                ("aftersales_parts_repair_id", "in", issuing.ids),
                ("aftersales_parts_role", "=", "issue"),
                ("state", "not in", ("done", "cancel")),
            ]
        )
        for move in pending:
            qty = move.product_qty - move._aftersales_product_qty(move.quantity)
            if float_compare(qty, 0.0, precision_rounding=move.product_id.uom_id.rounding) > 0:
                missing[(move.aftersales_parts_repair_id, move.product_id)] += qty
        return missing

    def _aftersales_check_parts_not_missing(self):
        missing = self._aftersales_missing_parts()
        if not missing:
            return
        lines = "\n".join(
            self.env._(
                "- %(order)s: %(part)s, %(qty)s %(uom)s",
                order=repair.display_name,
                part=product.display_name,
                qty=qty,
                uom=product.uom_id.name,
            )
            for (repair, product), qty in missing.items()
        )
        raise UserError(
            self.env._(
                "Parts requested from the warehouse are still missing:\n%(lines)s\n"
                "Wait until they are issued to the workshop, or remove the part lines the "
                "repair does not need (their pending issue is cancelled).",
                lines=lines,
            )
        )

    def write(self, vals):
        # Removing a part line from an open order (the list's trash icon): the host leaves
        # it to inventory managers (only they may delete stock moves), so a technician
        # could not take out a part the repair no longer needs — the way out of a repair
        # blocked by missing parts. Whoever may write the order may remove its part lines
        # while the order is open; the host then cancels them (and we their pending issue).
        if vals.get("move_ids") and not self.env.su:
            removed_ids = {
                command[1]
                for command in vals["move_ids"]
                if isinstance(command, list | tuple) and command[0] == Command.DELETE
            }
            removable = self._aftersales_removable_part_lines(removed_ids)
            if removable:
                self.check_access("write")
                vals = dict(
                    vals,
                    move_ids=[
                        command
                        for command in vals["move_ids"]
                        if not (
                            isinstance(command, list | tuple)
                            and command[0] == Command.DELETE
                            and command[1] in removable.ids
                        )
                    ],
                )
                removable.sudo().unlink()
        return super().write(vals)

    def _aftersales_removable_part_lines(self, move_ids):
        """Part lines among ``move_ids`` the current user may remove through the order
        though not allowed to delete stock moves: lines of these open orders, not done, whose
        parts were not issued yet."""
        if not move_ids or self.env["stock.move"].has_access("unlink"):
            return self.env["stock.move"]
        return (
            self.env["stock.move"]
            .browse(move_ids)
            .filtered(
                lambda m: (
                    m.repair_id in self
                    and m.repair_id.state in ("draft", "confirmed", "under_repair")
                    and m.state != "done"
                    # Parts already handed to the workshop are not removed with the line:
                    # they would stay there untraced (the warehouse takes them back first).
                    and not any(o.state == "done" for o in m.move_orig_ids)
                )
            )
        )

    def action_repair_done(self):
        # First, before anything is written: every path to done goes through here
        # (action_repair_end included).
        self._aftersales_check_parts_not_missing()
        return super().action_repair_done()
