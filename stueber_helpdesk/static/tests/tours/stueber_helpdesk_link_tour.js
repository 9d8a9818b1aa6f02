import { registry } from "@web/core/registry";

/**
 * Logged out, with the customer's own link from a mail: the ticket opens
 * read-only, its conversation loads and takes an answer in the customer's
 * name; closing and editing are not offered (see test_trust_links.py).
 */
registry.category("web_tour.tours").add("stueber_helpdesk_link_tour", {
    steps: () => [
        {
            content: "The ticket opens with a hint to log in for changes",
            trigger: ".o_stueber_ticket_title:contains(Drucker druckt nicht)",
        },
        {
            trigger: ".o_stueber_login_hint a[href^='/web/login']",
        },
        {
            content: "No close button, no edit form",
            trigger: "body:not(:has(button.o_stueber_close)):not(:has(form.o_stueber_edit_form))",
        },
        {
            content: "The staff answer is in the conversation",
            trigger: "#chatterRoot:shadow .o-mail-Message-body:contains(Bitte Drucker neu starten)",
            timeout: 30000,
        },
        {
            content: "The internal note is not",
            trigger: "#chatterRoot:shadow .o-mail-Thread:not(:has(.o-mail-Message-body:contains(Kunde ist schwierig)))",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run: "edit Der Drucker geht wieder.",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The answer is in the conversation",
            trigger: "#chatterRoot:shadow .o-mail-Message-body:contains(Der Drucker geht wieder)",
        },
    ],
});
