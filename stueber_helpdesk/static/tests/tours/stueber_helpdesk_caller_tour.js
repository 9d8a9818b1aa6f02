import { registry } from "@web/core/registry";

/** An agent answers the phone: "Who is calling?", the number as the caller says it, a ticket in one step. */
registry.category("web_tour.tours").add("stueber_helpdesk_caller_tour", {
    steps: () => [
        {
            content: "Open the Tickets menu",
            trigger: '.o_menu_sections button:contains("Tickets")',
            run: "click",
        },
        {
            content: "Who is calling?",
            trigger: '.o-dropdown-item:contains("Who Is Calling?")',
            run: "click",
        },
        {
            content: "Type the number as the caller says it",
            trigger: '.modal .o_field_widget[name="phone"] input',
            run: "edit 0431 777-9911 && press Tab",
        },
        {
            content: "The caller is known, with their institution",
            trigger: '.modal .o_stueber_caller_institutions td:contains("Grundschule am See")',
        },
        {
            content: "The caller is proposed",
            trigger: '.modal .o_field_widget[name="partner_id"] input:value("teacher_a")',
        },
        {
            content: "Their open tickets are shown",
            trigger: '.modal .o_stueber_caller_tickets td:contains("Drucker druckt nicht")',
        },
        {
            content: "What the call is about",
            trigger: '.modal .o_field_widget[name="name"] input',
            run: "edit Tour: WLAN im Lehrerzimmer",
        },
        {
            content: "Open the ticket",
            trigger: '.modal button[name="action_create_ticket"]',
            run: "click",
        },
        {
            content: "The new ticket opens",
            trigger: '.o_form_view .o_field_widget[name="name"] textarea:value("Tour: WLAN im Lehrerzimmer"), .o_form_view .o_field_widget[name="name"] input:value("Tour: WLAN im Lehrerzimmer")',
        },
        {
            content: "The call is in the chatter",
            trigger: '.o-mail-Chatter .o-mail-Message:contains("+494317779911")',
        },
    ],
});
