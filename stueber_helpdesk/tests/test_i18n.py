from odoo.tests import TransactionCase, tagged

from .i18n_common import terms_without_german


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
            set(root.child_id.mapped("name")), {"Tickets", "Kunden", "Berichte", "Konfiguration"}, "top menus in German"
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
        _terms, missing = terms_without_german(self.env, "stueber_helpdesk")
        self.assertFalse(missing, "terms without German in i18n/de.po (run scripts/i18n):\n" + "\n".join(missing))
