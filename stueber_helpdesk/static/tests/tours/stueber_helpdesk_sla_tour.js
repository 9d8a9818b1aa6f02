import { registry } from "@web/core/registry";

/** An agent sees a ticket's SLA badge on the kanban and assigns the ticket to themselves. */
registry.category("web_tour.tours").add("stueber_helpdesk_sla_tour", {
    steps: () => [
        {
            content: "The overdue ticket shows a red SLA badge",
            trigger: ".o_kanban_record:contains(Tour-Beamer) .o_stueber_sla_badge .text-bg-danger",
        },
        {
            content: "The ticket at risk shows an amber badge with the time left",
            trigger: ".o_kanban_record:contains(Tour-Tafel) .o_stueber_sla_badge .text-bg-warning:contains(min)",
        },
        {
            content: "Open the overdue ticket",
            trigger: ".o_kanban_record:contains(Tour-Beamer)",
            run: "click",
        },
        {
            content: "Assign it to me",
            trigger: ".o_form_view button[name=action_assign_to_me]",
            run: "click",
        },
        {
            content: "I am the assignee now",
            trigger: ".o_form_view:not(:has(button[name=action_assign_to_me]))",
        },
    ],
});
