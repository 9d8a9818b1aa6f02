import { SuggestionService } from "@mail/core/common/suggestion_service";
import { UseSuggestion } from "@mail/core/common/suggestion_hook";
import { patch } from "@web/core/utils/patch";

/**
 * Canned responses ("::") on a ticket get their placeholders filled in when
 * inserted: {customer}/{kunde}, {ticket}/{ticketnummer}, {institution}/{einrichtung}.
 * The values come from the server (read as the agent) together with the
 * canned responses, so the insertion itself stays synchronous as in core.
 */
const TICKET_MODEL = "stueber.helpdesk.ticket";
const PLACEHOLDER = /\{\s*([a-zäöüß_]+)\s*\}/gi;

function fillPlaceholders(text, values) {
    return text.replace(PLACEHOLDER, (match, key) => values[key.toLowerCase()] ?? match);
}

patch(SuggestionService.prototype, {
    async fetchSuggestions({ delimiter }, { thread } = {}) {
        const loading =
            delimiter === "::" && thread?.model === TICKET_MODEL && thread.id
                ? this.stueberLoadPlaceholderValues(thread)
                : null;
        await super.fetchSuggestions(...arguments);
        await loading;
    },

    /** Fresh values at each "::" search: the customer may have changed meanwhile. */
    async stueberLoadPlaceholderValues(thread) {
        this.stueberPlaceholderValues ??= new Map();
        const values = await this.orm.call("mail.canned.response", "stueber_placeholder_values", [
            thread.id,
        ]);
        this.stueberPlaceholderValues.set(`${thread.model},${thread.id}`, values);
        return values;
    },
});

patch(UseSuggestion.prototype, {
    insert(option) {
        const thread = this.thread;
        if (!option.cannedResponse || thread?.model !== TICKET_MODEL || !thread.id) {
            return super.insert(option);
        }
        const values = this.suggestionService.stueberPlaceholderValues?.get(`${thread.model},${thread.id}`);
        if (values) {
            return super.insert({ ...option, label: fillPlaceholders(option.label, values) });
        }
        // chosen before the values arrived: fetch them, then insert
        return this.suggestionService.stueberLoadPlaceholderValues(thread).then((loaded) =>
            super.insert({ ...option, label: fillPlaceholders(option.label, loaded) })
        );
    },
});
