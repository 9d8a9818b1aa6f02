from odoo.addons.stueber_helpdesk.tests.i18n_common import terms_without_german
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import code_translations

MODULE = "stueber_helpdesk_spreadsheet_dashboard"


@tagged("post_install", "-at_install")
class TestGermanDashboard(TransactionCase):
    """A German manager reads the dashboard in German: the browser translates the
    spreadsheet's labels from this module's catalogue."""

    def test_spreadsheet_labels_reach_the_browser_in_german(self):
        german = {
            message["id"]: message["string"]
            for message in code_translations.get_web_translations(MODULE, "de_DE")["messages"]
        }
        self.assertEqual(german["Opened"], "Eröffnet")
        self.assertEqual(german["SLA success rate"], "SLA-Erfolgsquote")
        self.assertEqual(german["Period"], "Zeitraum")
        self.assertEqual(german["Top 10 institutions"], "Top 10 Einrichtungen")


@tagged("post_install", "-at_install")
class TestGermanDashboardCatalogue(TransactionCase):
    """Every term of the dashboard (its name, its group, each label, heading and filter of the
    spreadsheet) has a German translation."""

    def test_every_term_of_the_dashboard_is_translated_to_german(self):
        terms, missing = terms_without_german(self.env, MODULE)
        self.assertIn("Opened in the period", terms, "the spreadsheet's terms are read from the JSON file")
        self.assertFalse(missing, "terms without German in i18n/de.po (run scripts/i18n):\n" + "\n".join(missing))
