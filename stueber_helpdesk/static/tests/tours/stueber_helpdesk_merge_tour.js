import { registry } from "@web/core/registry";

/** An agent selects two tickets in the list and merges them into the older one. */
registry.category("web_tour.tours").add("stueber_helpdesk_merge_tour", {
    steps: () => [
        {
            content: "Select the first ticket",
            trigger: '.o_list_renderer tr:contains("Tourticket Whiteboard eins") td.o_list_record_selector input',
            run: "click",
        },
        {
            content: "Select the second ticket",
            trigger: '.o_list_renderer tr:contains("Tourticket Whiteboard zwei") td.o_list_record_selector input',
            run: "click",
        },
        {
            content: "Open the actions",
            trigger: ".o_cp_action_menus button",
            run: "click",
        },
        {
            content: "Choose Merge Tickets",
            trigger: '.o-dropdown--menu span:contains("Merge Tickets")',
            run: "click",
        },
        {
            content: "The older ticket is proposed as the one that remains",
            trigger: '.modal .o_field_widget[name="target_id"] input:value("Tourticket Whiteboard eins")',
        },
        {
            content: "Merge",
            trigger: '.modal button[name="action_merge"]',
            run: "click",
        },
        {
            content: "The remaining ticket opens: show its linked tickets",
            trigger: '.o_form_view .o_notebook a:contains("Linked Tickets")',
            run: "click",
        },
        {
            content: "The merged ticket is listed",
            trigger: '.o_form_view .o_field_widget[name="merged_ticket_ids"] td:contains("Tourticket Whiteboard zwei")',
        },
    ],
});
