{
    "name": "Stueber Helpdesk Dashboard",
    "summary": "The helpdesk's figures of the last 30 days as a dashboard in Odoo's Dashboards app",
    "version": "19.0.1.0.0",
    "category": "Productivity/Dashboard",
    "website": "https://github.com/stueber/stueber_helpdesk",
    "author": "Stueber",
    "license": "LGPL-3",
    "installable": True,
    # A bridge: installed by itself once both are there, so the helpdesk never
    # pulls in the spreadsheet stack and a dashboard user never misses it.
    "auto_install": True,
    "depends": ["stueber_helpdesk", "spreadsheet_dashboard"],
    "data": [
        "data/dashboards.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "stueber_helpdesk_spreadsheet_dashboard/static/tests/tours/**/*",
        ],
    },
}
