import { PortalHomeCounters } from "@portal/interactions/portal_home_counters";
import { patch } from "@web/core/utils/patch";

// The "Tickets" card stays on the portal home even at zero tickets: it is
// where a customer opens the first one.
patch(PortalHomeCounters.prototype, {
    getCountersAlwaysDisplayed() {
        return [...super.getCountersAlwaysDisplayed(), "ticket_count"];
    },
});
