# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.aftersales_legal_rule import REQUESTS

CLAIM_DOCUMENTS = {
    "acceptance": "aftersales_service.action_report_claim_acceptance_act",
    "response": "aftersales_service.action_report_claim_response",
}
CERTIFICATE = "aftersales_service.action_report_warranty_certificate"
#: Photos a customer may attach to a new claim: count and size of each.
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024


class AftersalesPortal(CustomerPortal):
    """The customer's claims and serials on the portal, and the public warranty check.

    Isolation: claims are read as the portal user (record rule: their commercial partner's
    claims) or through their own access token, checked by ``_document_check_access``
    against the claim of that id; serials through ``stock.lot._aftersales_portal_lots`` (the
    serials the customer owns). Anything else is a 404, whether it exists or not."""

    # /my counters ------------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_claim_count" in counters:
            Claim = request.env["aftersales.claim"]
            values["aftersales_claim_count"] = (
                Claim.search_count(self._aftersales_claim_domain())
                if Claim.has_access("read")
                else 0
            )
        if "aftersales_serial_count" in counters:
            values["aftersales_serial_count"] = len(self._aftersales_lots())
        return values

    def _aftersales_claim_domain(self):
        partner = request.env.user.partner_id
        return [("partner_id", "child_of", [partner.commercial_partner_id.id])]

    def _aftersales_lots(self):
        if request.env.user._is_public():
            return request.env["stock.lot"]
        return request.env["stock.lot"]._aftersales_portal_lots(request.env.user.partner_id)

    # Claims --------------------------------------------------------------------------------

    @http.route(
        ["/my/claims", "/my/claims/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_claims(self, page=1, **kw):
        Claim = request.env["aftersales.claim"]
        domain = self._aftersales_claim_domain()
        values = self._prepare_portal_layout_values()
        pager = portal_pager(
            url="/my/claims",
            total=Claim.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        claims = Claim.search(domain, limit=self._items_per_page, offset=pager["offset"])
        request.session["my_aftersales_claims_history"] = claims.ids[:100]
        values.update(
            {
                # sudo after the search as the user: the page shows the product and
                # serial, which portal users cannot read on their own (as sale's portal).
                "claims": claims.sudo(),
                "page_name": "aftersales_claims",
                "pager": pager,
                "default_url": "/my/claims",
            }
        )
        return request.render("aftersales_service.portal_my_claims", values)

    @http.route(["/my/claims/<int:claim_id>"], type="http", auth="public", website=True)
    def portal_my_claim(
        self, claim_id, access_token=None, document=None, report_type=None, download=False, **kw
    ):
        try:
            claim_sudo = self._document_check_access(
                "aftersales.claim", claim_id, access_token=access_token
            )
        except (AccessError, MissingError):
            raise NotFound() from None
        if document:
            report_ref = CLAIM_DOCUMENTS.get(document)
            if not report_ref or (document == "response" and not claim_sudo.decision):
                raise NotFound()
            return self._show_report(
                model=claim_sudo,
                report_type=report_type if report_type in ("html", "pdf") else "pdf",
                report_ref=report_ref,
                download=download,
            )
        values = {"claim": claim_sudo, "page_name": "aftersales_claim"}
        values = self._get_page_view_values(
            claim_sudo, access_token, values, "my_aftersales_claims_history", False, **kw
        )
        return request.render("aftersales_service.portal_claim_page", values)

    @http.route(["/my/claims/new"], type="http", auth="user", website=True, methods=["GET"])
    def portal_claim_new(self, lot_id=None, **kw):
        return self._aftersales_render_new(selected_lot_id=self._to_int(lot_id))

    @http.route(["/my/claims/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_claim_create(self, lot_id=None, summary="", description="", request_type=None, **kw):
        wanted = self._to_int(lot_id)
        lot = self._aftersales_lots().filtered(lambda lot: lot.id == wanted)
        form = {"summary": summary, "description": description}
        if not lot:
            # Not one of the customer's serials (or none at all): refused, nothing created.
            return self._aftersales_render_new(
                error=request.env._("Choose one of your own serial numbers."), **form
            )
        summary = (summary or "").strip()[:200]
        if not summary:
            return self._aftersales_render_new(
                selected_lot_id=lot.id, error=request.env._("Say what is wrong."), **form
            )
        photos = request.httprequest.files.getlist("photos")
        attachments = []
        for photo in photos[: MAX_PHOTOS + 1]:
            if not photo or not photo.filename:
                continue
            content = photo.read(MAX_PHOTO_BYTES + 1)
            if len(attachments) >= MAX_PHOTOS or len(content) > MAX_PHOTO_BYTES:
                return self._aftersales_render_new(
                    selected_lot_id=lot.id,
                    error=request.env._(
                        "Attach at most %(count)s photos of 10 MB each.", count=MAX_PHOTOS
                    ),
                    **form,
                )
            if not (photo.mimetype or "").startswith("image/"):
                return self._aftersales_render_new(
                    selected_lot_id=lot.id,
                    error=request.env._("Only photos (images) can be attached."),
                    **form,
                )
            attachments.append((photo.filename, content))
        try:
            claim = self._aftersales_create_claim(lot, summary, description, request_type)
        except (UserError, ValidationError) as error:
            return self._aftersales_render_new(
                selected_lot_id=lot.id, error=str(error.args[0] if error.args else error), **form
            )
        if attachments:
            claim.message_post(
                body=request.env._("Photos of the unit."),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=request.env.user.partner_id.id,
                attachments=attachments,
            )
        return request.redirect(f"/my/claims/{claim.id}")

    def _aftersales_create_claim(self, lot, summary, description, request_type):
        """Create the claim through the backend's create path. ``lot`` was checked to be
        one of the user's serials; only then sudo (portal users cannot create claims)."""
        partner = request.env.user.partner_id
        Claim = request.env["aftersales.claim"].sudo()
        vals = Claim._prepare_vals_from_lot(lot)
        vals.update(
            {
                "partner_id": partner.id,
                "channel": "portal",
                "request": request_type if request_type in dict(REQUESTS) else "repair",
                "summary": summary,
                "description": plaintext2html(description) if description else False,
                "email_from": partner.email or False,
                "user_id": False,
            }
        )
        claim = Claim.create(vals)
        claim.message_subscribe(partner_ids=partner.ids)
        return claim

    def _aftersales_render_new(self, selected_lot_id=None, error=None, summary="", description=""):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "lots": self._aftersales_lots(),
                "selected_lot_id": selected_lot_id,
                "requests": request.env["aftersales.claim"]
                ._fields["request"]
                ._description_selection(request.env),
                "error": error,
                "summary": summary,
                "description": description,
                "page_name": "aftersales_claim_new",
            }
        )
        return request.render("aftersales_service.portal_claim_new", values)

    # Serials -------------------------------------------------------------------------------

    @http.route(["/my/serials"], type="http", auth="user", website=True)
    def portal_my_serials(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update({"lots": self._aftersales_lots(), "page_name": "aftersales_serials"})
        return request.render("aftersales_service.portal_my_serials", values)

    @http.route(["/my/serials/<int:lot_id>/certificate"], type="http", auth="user", website=True)
    def portal_serial_certificate(self, lot_id, report_type="pdf", download=False, **kw):
        lot = self._aftersales_lots().filtered(lambda lot: lot.id == lot_id)
        if not lot:
            raise NotFound()
        return self._show_report(
            model=lot,
            report_type=report_type if report_type in ("html", "pdf") else "pdf",
            report_ref=CERTIFICATE,
            download=download,
        )

    # Public warranty check -----------------------------------------------------------------

    @http.route(["/warranty/<string:token>"], type="http", auth="public", website=False)
    def aftersales_public_check(self, token, **kw):
        # One indexed lookup whatever the token; a miss is the same 404 as garbage.
        lot = request.env["stock.lot"]._aftersales_public_lookup(token)
        if not lot:
            raise NotFound()
        return request.render(
            "aftersales_service.warranty_public_page", lot._aftersales_public_values()
        )

    @staticmethod
    def _to_int(value):
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
