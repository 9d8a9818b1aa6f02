import { registry } from "@web/core/registry";

/**
 * The figure a scorecard shows, once its data has arrived.  Scorecards are drawn
 * on a canvas, so the figure is read from the dashboard's spreadsheet model.
 */
async function scorecardShows(title, expected) {
    const loader = odoo.__WOWL_DEBUG__.root.env.services.spreadsheet_dashboard_loader;
    const model = loader.getActiveDashboard().model;
    let shown;
    for (let attempt = 0; attempt < 100; attempt++) {
        const chartIds = model.getters.getChartIds(model.getters.getActiveSheetId());
        const runtimes = chartIds.map((chartId) => model.getters.getChartRuntime(chartId));
        shown = runtimes.find((runtime) => runtime.title.text === title)?.keyValue;
        if (shown === expected) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`scorecard "${title}" shows "${shown}", expected "${expected}"`);
}

/**
 * A German helpdesk manager opens Dashboards > Helpdesk > Tickets and reads the
 * figures of the tickets the test seeded: three opened, one of them closed.
 */
registry.category("web_tour.tours").add("stueber_helpdesk_dashboard_tour", {
    steps: () => [
        {
            content: "Open the tickets dashboard in the Helpdesk group",
            trigger: ".o_search_panel_section:has(header:contains(Helpdesk)) li[data-name=Tickets]",
            run: "click",
        },
        {
            content: "The scorecards are labelled in German",
            trigger: "canvas.o-scorecard[title='Eröffnet']",
            run: () => scorecardShows("Eröffnet", "3"),
        },
        {
            content: "Closed in the period",
            trigger: "canvas.o-scorecard[title='Geschlossen']",
            run: () => scorecardShows("Geschlossen", "1"),
        },
        {
            content: "Still open",
            trigger: "canvas.o-scorecard[title='Noch offen']",
            run: () => scorecardShows("Noch offen", "2"),
        },
    ],
});
