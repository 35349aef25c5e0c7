from odoo import api, fields, models


class RepairOrderPricing(models.Model):
    """The customer's prices: pricelist, its currency and the invoice address of a service
    order, as the host's repair → sale order flow gives them to the quotation
    (``sale.order._compute_pricelist_id`` / ``_compute_partner_invoice_id``). Parts and labor
    are priced with the pricelist, in its currency; the order's cost and share figures stay
    in the company currency (converted at the order's date)."""

    _inherit = "repair.order"  # pylint: disable=consider-merging-classes-inherited

    # Not precomputed: it follows the host's partner_id, itself computed after the INSERT.
    aftersales_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        compute="_compute_aftersales_pricelist_id",
        store=True,
        readonly=False,
        check_company=True,
        help="The customer's prices for the parts and the labor of this order (the "
        "customer's pricelist by default, as on a quotation).",
    )
    aftersales_pricing_currency_id = fields.Many2one(
        "res.currency",
        string="Pricing Currency",
        compute="_compute_aftersales_pricing_currency_id",
        help="Currency of the parts' and labor's sale prices and of the invoice.",
    )
    aftersales_partner_invoice_id = fields.Many2one(
        "res.partner",
        string="Invoice Address",
        compute="_compute_aftersales_partner_invoice_id",
        store=True,
        readonly=False,
        help="Partner the customer's share is invoiced to (the customer's invoice address "
        "by default, as on a quotation).",
    )

    @api.depends("partner_id", "company_id")
    def _compute_aftersales_pricelist_id(self):
        # Without the Pricelists setting the customer's prices are the products' sale
        # prices: no pricelist to look up (and no query spent on it).
        enabled = self.env.user.has_group("product.group_product_pricelist")
        for order in self:
            partner = order.partner_id.with_company(order.company_id)
            order.aftersales_pricelist_id = (
                partner.property_product_pricelist if partner and enabled else False
            )

    @api.depends("aftersales_pricelist_id", "company_id")
    def _compute_aftersales_pricing_currency_id(self):
        for order in self:
            order.aftersales_pricing_currency_id = (
                order.aftersales_pricelist_id.currency_id or order.company_id.currency_id
            )

    @api.depends("partner_id")
    def _compute_aftersales_partner_invoice_id(self):
        for order in self:
            order.aftersales_partner_invoice_id = (
                order.partner_id.address_get(["invoice"])["invoice"] if order.partner_id else False
            )

    def _aftersales_pricing_date(self):
        return fields.Date.to_date(self.schedule_date) or fields.Date.context_today(self)

    def _aftersales_sale_price(self, product, quantity, uom):
        """Unit sale price of ``product`` in ``uom``, in the pricing currency: the order's
        pricelist (fixed prices, discounts, its currency), else the product's sale price."""
        self.ensure_one()
        product = product.with_company(self.company_id)
        pricelist = self.aftersales_pricelist_id
        if pricelist.item_ids:
            return pricelist._get_product_price(
                product, quantity or 1.0, uom=uom, date=self._aftersales_pricing_date()
            )
        # No rules (the default pricelist): the product's sale price, in its currency.
        price = product.uom_id._compute_price(product.lst_price, uom)
        company_currency = self.company_id.currency_id
        currency = pricelist.currency_id or company_currency
        if currency != company_currency:
            price = company_currency._convert(
                price, currency, self.company_id, self._aftersales_pricing_date(), round=False
            )
        return price

    def _aftersales_to_company_currency(self, amount):
        """A sale amount in the pricing currency, in the company currency (order figures)."""
        self.ensure_one()
        company_currency = self.company_id.currency_id
        currency = self.aftersales_pricing_currency_id or company_currency
        if currency == company_currency:
            return amount
        return currency._convert(
            amount, company_currency, self.company_id, self._aftersales_pricing_date(), round=False
        )
