import json

from odoo.addons.stueber_helpdesk.tests.common import HelpdeskCase

REPORT = "stueber.helpdesk.ticket.report"
DASHBOARD = "stueber_helpdesk_spreadsheet_dashboard.spreadsheet_dashboard_helpdesk_tickets"


class DashboardCase(HelpdeskCase):
    """The helpdesk's people and tickets (``HelpdeskCase``) and the installed dashboard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref(DASHBOARD)
        cls.spreadsheet = json.loads(cls.dashboard.spreadsheet_data)
