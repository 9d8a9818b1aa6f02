import { registry } from "@web/core/registry";

/** The password twice (a refused form never keeps it), then "Register". */
function passwordAndRegister() {
    return [
        {
            content: "Password",
            trigger: ".oe_signup_form input[name=password]",
            run: "edit erika.tour@school-a.example",
        },
        {
            content: "Password again",
            trigger: ".oe_signup_form input[name=confirm_password]",
            run: "edit erika.tour@school-a.example",
        },
        {
            content: "Register",
            trigger: ".oe_signup_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
    ];
}

/**
 * Registration with a customer number: a wrong number first (the form keeps
 * the values and marks the field), then the right one. Checks use CSS
 * classes, not texts, so the tour passes in every language.
 */
registry.category("web_tour.tours").add("stueber_helpdesk_signup_tour", {
    url: "/web/signup",
    steps: () => [
        {
            content: "Name",
            trigger: ".oe_signup_form input[name=name]",
            run: "edit Erika Tour",
        },
        {
            content: "E-mail",
            trigger: ".oe_signup_form input[name=login]",
            run: "edit erika.tour@school-a.example",
        },
        {
            content: "Phone",
            trigger: ".oe_signup_form input[name=phone]",
            run: "edit 030 1234567",
        },
        {
            content: "A customer number that does not exist",
            trigger: ".oe_signup_form input[name=customer_number]",
            run: "edit 99999",
        },
        ...passwordAndRegister(),
        {
            content: "The customer number is marked wrong",
            trigger: ".oe_signup_form input[name=customer_number].is-invalid",
        },
        {
            content: "The message says what is wrong",
            trigger: "#customer_number_error",
        },
        {
            content: "The name was kept",
            trigger: '.oe_signup_form input[name=name][value="Erika Tour"]',
        },
        {
            content: "The password was not kept",
            trigger: ".oe_signup_form input[name=password]:not([value])",
        },
        {
            content: "The right customer number (HelpdeskCase.school_a), typed loosely",
            trigger: ".oe_signup_form input[name=customer_number]",
            run: "edit  9000 1",
        },
        ...passwordAndRegister(),
        {
            content: "Logged in, the portal asks to confirm the e-mail address",
            trigger: ".o_stueber_confirm_banner",
        },
    ],
});

/** The link of the confirmation mail: a button to confirm, then the membership is being checked. */
registry.category("web_tour.tours").add("stueber_helpdesk_signup_confirm_tour", {
    steps: () => [
        {
            content: "Confirm the e-mail address",
            trigger: ".o_stueber_signup_confirm button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The membership is being checked",
            trigger: ".o_stueber_signup_confirm_done .o_stueber_membership_pending",
        },
        {
            content: "Go to the portal",
            trigger: ".o_stueber_signup_confirm_done a.btn-primary",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The portal says the membership is being checked",
            trigger: ".o_stueber_pending_banner:contains(Grundschule am See)",
        },
        {
            content: "No request to confirm the e-mail any more",
            trigger: "body:not(:has(.o_stueber_confirm_banner))",
        },
    ],
});
