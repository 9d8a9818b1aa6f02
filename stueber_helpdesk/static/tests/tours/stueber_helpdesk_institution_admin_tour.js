import { registry } from "@web/core/registry";

/** An institution admin approves a pending member at /my/institution. */
registry.category("web_tour.tours").add("stueber_helpdesk_institution_admin_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open my institution",
            trigger: 'a[href="/my/institution"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Approve the pending member",
            trigger: ".o_stueber_member_pending:contains(newcomer_a) .o_stueber_member_approve",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The member is verified now",
            trigger: ".o_stueber_member_verified:contains(newcomer_a)",
        },
        {
            content: "Nobody is pending any more",
            trigger: ".o_stueber_my_institution:not(:has(.o_stueber_member_pending))",
        },
    ],
});
