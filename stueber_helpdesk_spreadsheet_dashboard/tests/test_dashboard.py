import re

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import REPORT, DashboardCase

# PIVOT(1, ...), PIVOT.VALUE(1, "measure"), PIVOT.HEADER(1, ...) in a cell's formula
PIVOT_CALL = re.compile(r'\bPIVOT(?:\.(VALUE|HEADER))?\(\s*(\d+)(?:\s*,\s*"([^"]*)")?')


@tagged("post_install", "-at_install")
class TestDashboardAccess(DashboardCase):
    """Dashboards > Helpdesk > Tickets is there for the desk's managers."""

    def test_dashboard_sits_in_the_helpdesk_group(self):
        self.assertEqual(self.dashboard.dashboard_group_id.name, "Helpdesk")
        self.assertTrue(self.dashboard.is_published)
        self.assertEqual(self.dashboard.main_data_model_ids.model, REPORT)

    def test_manager_sees_the_dashboard(self):
        Dashboard = self.env["spreadsheet.dashboard"].with_user(self.manager)
        self.assertIn(self.dashboard, Dashboard.search([]))
        group = self.dashboard.dashboard_group_id.with_user(self.manager)
        self.assertIn(self.dashboard, group.published_dashboard_ids)

    def test_agent_does_not_see_the_dashboard(self):
        """Agents read the same figures in Ticket Analysis; the board that ranks them is the managers'."""
        self.assertNotIn(self.dashboard, self.env["spreadsheet.dashboard"].with_user(self.agent).search([]))

    def test_employee_without_helpdesk_rights_does_not_see_the_dashboard(self):
        self.assertNotIn(self.dashboard, self.env["spreadsheet.dashboard"].with_user(self.employee).search([]))
        with self.assertRaises(AccessError):
            self.dashboard.with_user(self.employee).check_access("read")


@tagged("post_install", "-at_install")
class TestDashboardData(HttpCase, DashboardCase):
    """What the browser asks for: /spreadsheet/dashboard/data/<id>, as the manager and as others."""

    def test_manager_loads_the_dashboard_with_its_translations(self):
        self.authenticate(self.manager.login, self.manager.login)
        data = self.url_open(f"/spreadsheet/dashboard/data/{self.dashboard.id}").json()
        self.assertEqual(data["translation_namespace"], "stueber_helpdesk_spreadsheet_dashboard")
        self.assertEqual(data["snapshot"]["pivots"].keys(), self.spreadsheet["pivots"].keys())

    def test_agent_cannot_load_the_dashboard_by_its_id(self):
        self.authenticate(self.agent.login, self.agent.login)
        response = self.url_open(f"/spreadsheet/dashboard/data/{self.dashboard.id}")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("pivots", response.text)


@tagged("post_install", "-at_install")
class TestDashboardDefinition(DashboardCase):
    """Every pivot, list and chart of the spreadsheet reads the ticket report with fields and
    measures the report has, so a change of the report cannot leave the dashboard broken unseen.

    Each data source is run through the ORM as the manager, as the browser will run it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.report = cls.env[REPORT].with_user(cls.manager)
        cls.filters = {spec["id"]: spec for spec in cls.spreadsheet["globalFilters"]}

    def aggregate(self, measure):
        """``fieldName:aggregator`` as ``_read_group`` wants it; the field's own aggregator if none is given."""
        name = measure["fieldName"]
        if name == "__count":
            return name
        field = self.report._fields.get(name)
        self.assertTrue(field, f"measure {name} is no field of the report")
        aggregator = measure.get("aggregator") or field.aggregator
        self.assertTrue(aggregator, f"measure {name} has nothing to aggregate with")
        return f"{name}:{aggregator}"

    def assert_filters_match_fields(self, field_matching, source):
        self.assertEqual(set(field_matching), set(self.filters), f"{source}: every global filter applies")
        for filter_id, match in field_matching.items():
            spec = self.filters[filter_id]
            field = self.report._fields.get(match["chain"])
            self.assertTrue(field, f"{source}: filter {spec['label']} on unknown field {match['chain']}")
            if spec["type"] == "date":
                self.assertIn(field.type, ("date", "datetime"), f"{source}: {spec['label']}")
            else:
                self.assertEqual(field.comodel_name, spec["modelName"], f"{source}: {spec['label']}")

    def test_global_filters_are_period_team_agent_category_institution_bundesland(self):
        labels = [spec["label"] for spec in self.spreadsheet["globalFilters"]]
        self.assertEqual(labels, ["Period", "Team", "Agent", "Category", "Institution", "Bundesland"])
        self.assertEqual(self.spreadsheet["globalFilters"][0]["defaultValue"], "last_30_days")
        for spec in self.spreadsheet["globalFilters"][1:]:
            self.assertIn(spec["modelName"], self.env, spec["label"])

    def test_every_pivot_reads_the_report_with_existing_fields(self):
        self.assertTrue(self.spreadsheet["pivots"])
        for pivot_id, pivot in self.spreadsheet["pivots"].items():
            source = f"pivot {pivot_id} ({pivot['name']})"
            self.assertEqual(pivot["model"], REPORT, source)
            groupby = [dimension["fieldName"] for dimension in pivot["rows"] + pivot["columns"]]
            aggregates = [self.aggregate(measure) for measure in pivot["measures"]]
            self.report._read_group(pivot["domain"], groupby, aggregates)  # raises on a field the report lacks
            self.assert_filters_match_fields(pivot["fieldMatching"], source)
            if pivot.get("sortedColumn"):
                measure_ids = {measure["id"] for measure in pivot["measures"]}
                self.assertIn(pivot["sortedColumn"]["measure"], measure_ids, source)

    def test_every_list_reads_the_report_with_existing_fields(self):
        for list_id, spec in self.spreadsheet["lists"].items():
            source = f"list {list_id}"
            self.assertEqual(spec["model"], REPORT, source)
            self.report.search_fetch(spec["domain"], spec["columns"], order=None, limit=1)
            self.assert_filters_match_fields(spec["fieldMatching"], source)

    def test_every_chart_reads_the_report_with_existing_fields(self):
        charts = [
            figure["data"]
            for sheet in self.spreadsheet["sheets"]
            for figure in sheet["figures"]
            if figure["data"]["type"].startswith("odoo_")
        ]
        self.assertTrue(charts)
        for chart in charts:
            meta = chart["metaData"]
            source = f"chart {chart['chartId']}"
            self.assertEqual(meta["resModel"], REPORT, source)
            measure = self.aggregate({"fieldName": meta["measure"]})
            self.report._read_group(chart["searchParams"]["domain"], meta["groupBy"], [measure])
            self.assert_filters_match_fields(chart["fieldMatching"], source)

    def test_every_formula_names_a_pivot_and_a_measure_it_has(self):
        calls = [
            (xc, match.groups())
            for sheet in self.spreadsheet["sheets"]
            for xc, content in sheet["cells"].items()
            for match in PIVOT_CALL.finditer(content)
        ]
        self.assertTrue(calls)
        pivots = self.spreadsheet["pivots"]
        for xc, (function, pivot_id, measure) in calls:
            self.assertIn(pivot_id, pivots, f"{xc} names an unknown pivot")
            if function == "VALUE":
                self.assertIn(measure, {m["id"] for m in pivots[pivot_id]["measures"]}, f"{xc}: {measure}")

    def test_every_scorecard_shows_a_figure_of_the_data_sheet(self):
        data = next(sheet for sheet in self.spreadsheet["sheets"] if sheet["name"] == "Data")
        scorecards = [
            figure["data"]
            for sheet in self.spreadsheet["sheets"]
            for figure in sheet["figures"]
            if figure["data"]["type"] == "scorecard"
        ]
        self.assertEqual(len(scorecards), 8)
        for card in scorecards:
            for reference in filter(None, (card["keyValue"], card.get("baseline"))):
                sheet, xc = reference.split("!")
                self.assertEqual(sheet, "Data", card["title"]["text"])
                self.assertIn(xc, data["cells"], card["title"]["text"])

    def test_clicking_a_figure_opens_an_existing_menu(self):
        figure_ids = {figure["id"] for sheet in self.spreadsheet["sheets"] for figure in sheet["figures"]}
        for figure_id, menu in self.spreadsheet["chartOdooMenusReferences"].items():
            self.assertIn(figure_id, figure_ids)
            self.assertEqual(self.env.ref(menu)._name, "ir.ui.menu")
