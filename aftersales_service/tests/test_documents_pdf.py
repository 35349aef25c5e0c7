"""The seven printed documents as real PDFs (wkhtmltopdf) in Thai and Russian: the serial
and a translated label come out of the PDF's text (pdftotext), and the Thai text is set
in a font that has Thai glyphs (pdffonts), not in boxes."""

import re
import shutil
import subprocess
import tempfile
import unittest

from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_repair import RepairCommon

#: (report, record key, {lang: labels that must be printed translated})
REPORTS = [
    (
        "aftersales_service.action_report_claim_acceptance_act",
        "claim",
        {
            "th_TH": ["ข้อร้องเรียนของลูกค้า", "หมายเลขซีเรียล"],
            "ru_RU": ["Жалоба клиента", "Серийный номер"],
        },
    ),
    (
        "aftersales_service.action_report_claim_technical_conclusion",
        "claim",
        {"th_TH": ["การวินิจฉัย"], "ru_RU": ["Диагностика"]},
    ),
    (
        "aftersales_service.action_report_claim_response",
        "claim",
        {
            "th_TH": ["หลังจากการตรวจสอบ เราไม่สามารถรับการเคลมของคุณได้", "ขอแสดงความนับถือ"],
            "ru_RU": ["По результатам проверки мы не можем удовлетворить", "С уважением"],
        },
    ),
    (
        "aftersales_service.action_report_repair_acceptance_act",
        "order",
        {"th_TH": ["สภาพภายนอก", "หมายเลขซีเรียล"], "ru_RU": ["Внешнее состояние", "Серийный номер"]},
    ),
    (
        "aftersales_service.action_report_repair_technical_conclusion",
        "order",
        {"th_TH": ["การวินิจฉัย"], "ru_RU": ["Диагностика"]},
    ),
    (
        "aftersales_service.action_report_repair_completion_act",
        "order",
        {
            "th_TH": ["ใครชำระส่วนใด", "งานที่ทำ"],
            "ru_RU": ["Кто что оплачивает", "Выполненные работы"],
        },
    ),
    (
        "aftersales_service.action_report_warranty_certificate",
        "lot",
        {"th_TH": ["ใบรับประกัน", "หมายเลขซีเรียล"], "ru_RU": ["Гарантийный талон", "Серийный номер"]},
    ),
    (
        "aftersales_service.action_report_supplier_claim",
        "supplier_claim",
        {"th_TH": ["ยอดรวมที่เคลม"], "ru_RU": ["Итого предъявлено"]},
    ),
]
# The TLWG fonts draw Thai tone marks (U+0E47-U+0E4E) with positional glyphs that pdftotext
# reads back as private-use characters (U+F700-U+F71F), and it may split a word after a vowel
# mark; SARA AM (U+0E33) comes back as its NIKHAHIT + SARA AA: compare without the marks.
UNREAD = re.compile(r"[\s\u0e47-\u0e4e\uf700-\uf71f]")


def _readable(text):
    return UNREAD.sub("", text.replace("\u0e33", "\u0e32"))


MISSING = [tool for tool in ("wkhtmltopdf", "pdftotext", "pdffonts") if not shutil.which(tool)]


@tagged("post_install", "-at_install")
class TestDocumentsPdf(RepairCommon, HttpCase):
    """An HTTP case: wkhtmltopdf fetches the report's CSS and the QR code from this test's
    server (``report.url``), in this test's transaction."""

    @classmethod
    def setUpClass(cls):
        if MISSING:
            raise unittest.SkipTest(
                f"{', '.join(MISSING)} not installed: the PDFs cannot be rendered and read "
                "(apt-get install wkhtmltopdf poppler-utils fonts-thai-tlwg)."
            )
        super().setUpClass()
        # The languages the host's way, with this addon's translations.
        for lang in ("th_TH", "ru_RU"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["aftersales_service"], ["th_TH", "ru_RU"], overwrite=True
        )
        cls.env["ir.config_parameter"].sudo().set_param("report.url", cls.base_url())
        cls.claim = cls._create_claim(
            cls.customer_ru,
            cls.lot_warranty,
            summary="Drum does not spin",
            intake_condition="Scratch",
        )
        cls.claim.action_start_diagnosis()
        cls.claim.with_user(cls.manager).action_decide("reject", reason="Water inside")
        cls.supplier_claim = cls.env["aftersales.supplier.claim"].create(
            {
                "partner_id": cls.vendor.id,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product_unit.id,
                            "lot_id": cls.lot_warranty.id,
                            "quantity": 1,
                            "amount": 75.0,
                        }
                    )
                ],
            }
        )
        thai = subprocess.run(
            ["fc-list", ":lang=th", "family"], capture_output=True, text=True, check=False
        ).stdout
        cls.thai_families = {
            re.sub(r"\W", "", family).lower()
            for line in thai.splitlines()
            for family in line.split(",")
            if family.strip()
        }

    def _pdf_text(self, report, record):
        content, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, record.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(content)
            pdf.flush()
            text = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", pdf.name, "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            fonts = subprocess.run(
                ["pdffonts", pdf.name], capture_output=True, text=True, check=True
            ).stdout
        names = {
            re.sub(r"\W", "", line.split()[0].split("+")[-1]).lower()
            for line in fonts.splitlines()[2:]
            if line.strip()
        }
        return _readable(text), names

    def test_seven_documents_in_thai_and_russian(self):
        order = self._new_order(
            self.lot_billable,
            parts=[(self.part_pump, 1)],
            labor=[(self.technician, 1.0)],
            aftersales_intake_condition="Dent",
            aftersales_diagnosis="<p>Pump replaced</p>",
        )
        self._receive(order)
        self._finish(order)
        records = {
            "claim": self.claim,
            "order": order,
            "lot": self.lot_warranty,
            "supplier_claim": self.supplier_claim,
        }
        serials = {"claim": "RP-WAR-1", "order": "RP-BILL", "lot": "RP-WAR-1"}
        serials["supplier_claim"] = "RP-WAR-1"
        for lang in ("th_TH", "ru_RU"):
            (self.customer_ru | self.vendor).write({"lang": lang})
            for report, key, labels in REPORTS:
                record = records[key]
                with self.subTest(lang=lang, report=report):
                    text, fonts = self._pdf_text(report, record)
                    self.assertIn(serials[key], text)
                    for label in labels[lang]:
                        self.assertIn(_readable(label), text)
                    if lang == "th_TH":
                        # Thai glyphs come from a Thai font (TLWG), not from missing boxes.
                        self.assertTrue(
                            any(family in name for name in fonts for family in self.thai_families),
                            f"no Thai font embedded: {sorted(fonts)}",
                        )
