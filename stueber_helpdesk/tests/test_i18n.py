import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestGerman(TransactionCase):
    """Customers and staff speak German: the backend shows German labels."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env["ir.module.module"]._load_module_terms(["stueber_helpdesk"], ["de_DE"], overwrite=True)
        cls.env_de = cls.env(context=dict(cls.env.context, lang="de_DE"))

    def test_menu_is_german(self):
        root = self.env_de.ref("stueber_helpdesk.stueber_helpdesk_menu_root")
        self.assertEqual(root.name, "Helpdesk")
        self.assertEqual(
            set(root.child_id.mapped("name")), {"Tickets", "Kunden", "Konfiguration"}, "top menus in German"
        )
        self.assertEqual(
            self.env_de.ref("stueber_helpdesk.stueber_helpdesk_menu_pending_members").name, "Mitglieder in Prüfung"
        )

    def test_ticket_fields_are_german(self):
        fields = self.env_de["stueber.helpdesk.ticket"].fields_get(
            ["name", "stage_id", "institution_id", "partner_id", "callback_requested", "priority"],
            ["string", "selection"],
        )
        self.assertEqual(fields["name"]["string"], "Betreff")
        self.assertEqual(fields["stage_id"]["string"], "Phase")
        self.assertEqual(fields["institution_id"]["string"], "Einrichtung")
        self.assertEqual(fields["partner_id"]["string"], "Kunde")
        self.assertEqual(fields["callback_requested"]["string"], "Rückruf erbeten")
        self.assertIn(("3", "Dringend"), fields["priority"]["selection"])

    def test_default_stages_are_german(self):
        solved = self.env_de.ref("stueber_helpdesk.stage_solved")
        self.assertEqual(solved.name, "Gelöst")
        self.assertEqual(self.env_de.ref("stueber_helpdesk.stage_cancelled").name, "Storniert")
        self.assertEqual(
            self.env_de.ref("stueber_helpdesk.stage_answered").customer_status, "Beantwortet (wartet auf Sie)"
        )

    def test_ticket_form_is_german(self):
        arch = self.env_de["stueber.helpdesk.ticket"].get_view(
            self.env.ref("stueber_helpdesk.stueber_helpdesk_ticket_view_form").id
        )["arch"]
        self.assertIn("Mir zuweisen", arch)
        self.assertIn("Anruf protokollieren", arch)


@tagged("post_install", "-at_install")
class TestGermanCatalogue(TransactionCase):
    """Every term the addon shows, in views, data, mails and code, has a German translation."""

    def test_every_term_of_the_addon_is_translated_to_german(self):
        reader = TranslationModuleReader(self.env.cr, modules=["stueber_helpdesk"])
        terms = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in reader
            if module == "stueber_helpdesk"
        }
        path = file_path("stueber_helpdesk/i18n/de.po")
        german = {entry.msgid for entry in polib.pofile(path) if entry.msgstr and not entry.obsolete}
        missing = sorted(terms - german)
        self.assertFalse(
            missing, "terms without German translation in i18n/de.po (run scripts/i18n):\n" + "\n".join(missing)
        )
