from odoo.tests import HttpCase, tagged

from .common import DashboardCase


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase, DashboardCase):
    """A German manager opens the dashboard in headless Chromium and reads figures
    computed from the tickets on the server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env["ir.module.module"]._load_module_terms(
            ["stueber_helpdesk", "stueber_helpdesk_spreadsheet_dashboard"], ["de_DE"], overwrite=True
        )
        cls.manager.lang = "de_DE"

    def test_tour_manager_reads_the_figures_of_the_last_30_days(self):
        seeded = self.ticket_a | self.ticket_b | self.ticket_newcomer
        # The demo's tickets (and any others) move back a year, out of this and the
        # previous period, so the period holds exactly the three seeded tickets.
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE stueber_helpdesk_ticket
                  SET create_date = create_date - INTERVAL '1 year',
                      closed_date = closed_date - INTERVAL '1 year'
                WHERE id NOT IN %s""",
            [tuple(seeded.ids)],
        )
        self.env.invalidate_all()
        self.ticket_a.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
        self.start_tour("/odoo/dashboards", "stueber_helpdesk_dashboard_tour", login=self.manager.login)
