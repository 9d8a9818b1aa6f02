import { registry } from "@web/core/registry";

// A 1x1 PNG, so the screenshots are real images with thumbnails.
const PNG_BASE64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

function screenshot(name) {
    const bytes = Uint8Array.from(atob(PNG_BASE64), (c) => c.charCodeAt(0));
    return new File([bytes], name, { type: "image/png" });
}

registry.category("web_tour.tours").add("stueber_helpdesk_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The portal home has a Tickets card",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/tickets']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The list shows the colleague's ticket of the same institution",
            trigger: ".o_stueber_ticket_row:contains(Beamer flackert)",
        },
        {
            trigger: "a.o_stueber_new_ticket",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The form asks for one ticket per error, question or wish",
            trigger: ".o_stueber_one_ticket_hint",
        },
        {
            trigger: "input#o_stueber_name",
            run: "edit Tafel-PC startet nicht",
        },
        {
            trigger: "textarea#o_stueber_description",
            run: "edit Seit heute früh bleibt der Bildschirm schwarz.",
        },
        {
            content: "Attach two screenshots",
            trigger: "input#o_stueber_attachments",
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(screenshot("screen-1.png"));
                transfer.items.add(screenshot("screen-2.png"));
                this.anchor.files = transfer.files;
            },
        },
        {
            trigger: "input#o_stueber_callback",
            run: "check",
        },
        {
            trigger: "input#o_stueber_phone",
            run: "edit +49 30 1234567",
        },
        {
            trigger: "input#o_stueber_callback_time",
            run: "edit vormittags",
        },
        {
            trigger: "button.o_stueber_submit_ticket",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The ticket page gives the new number",
            trigger: ".o_stueber_ticket_created:contains(number)",
        },
        {
            content: "Both screenshots are shown as thumbnails",
            trigger: ".o_stueber_attachments:has(img[alt='screen-1.png']):has(img[alt='screen-2.png'])",
        },
        {
            content: "The portal chatter loads its bundle on first use",
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            timeout: 30000,
            run: "edit Ich habe den PC neu gestartet, ohne Erfolg.",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The reply is in the conversation",
            trigger: "#chatterRoot:shadow .o-mail-Message-body:contains(ohne Erfolg)",
        },
        {
            trigger: "button.o_stueber_close",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The ticket is solved",
            trigger: ".o_stueber_status:contains(Solved)",
        },
        {
            trigger: "button.o_stueber_reopen",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The ticket is open again",
            trigger: ".o_stueber_status:contains(In progress)",
        },
        {
            trigger: ".o_portal_submenu a[href='/my/tickets']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new ticket is in the list",
            trigger: ".o_stueber_ticket_row:contains(Tafel-PC startet nicht)",
        },
    ],
});
