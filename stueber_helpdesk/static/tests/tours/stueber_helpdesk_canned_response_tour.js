import { registry } from "@web/core/registry";

/** An agent answers with a canned response: "::", pick it, the placeholders are filled in. */
registry.category("web_tour.tours").add("stueber_helpdesk_canned_response_tour", {
    steps: () => [
        {
            content: "Write to the customer",
            trigger: ".o-mail-Chatter button:contains(Send message)",
            run: "click",
        },
        {
            content: "Ask for canned responses",
            trigger: ".o-mail-Composer-input",
            run: "edit ::screens",
        },
        {
            content: "Pick the screenshot answer",
            trigger: ".o-mail-Composer-suggestion:contains(screenshot)",
            run: "click",
        },
        {
            content: "The customer's name and the ticket number are filled in",
            trigger: '.o-mail-Composer-input:value("Guten Tag teacher_a, bitte senden Sie uns einen Screenshot")',
        },
        {
            content: "Send",
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The answer is in the chatter",
            trigger: '.o-mail-Message-body:contains("Guten Tag teacher_a")',
        },
    ],
});
