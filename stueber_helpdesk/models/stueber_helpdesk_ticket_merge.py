# A room of its own for one concept of the ticket (STYLE: "add rooms, do not grow the ticket").
# pylint: disable=consider-merging-classes-inherited
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class StueberHelpdeskTicket(models.Model):
    """Merge and split: several reports of one problem become one ticket, and
    one message about another problem becomes a ticket of its own.

    A merged ticket stays (closed in the "Merged" stage) so its number keeps
    working: mail quoting it and portal links reach the ticket it was merged
    into (``_merge_target``).
    """

    _inherit = "stueber.helpdesk.ticket"

    merged_into_id = fields.Many2one(
        "stueber.helpdesk.ticket",
        string="Merged into",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The ticket this one was merged into; mail and links for this ticket's number go there.",
    )
    merged_ticket_ids = fields.One2many("stueber.helpdesk.ticket", "merged_into_id", string="Merged Tickets")
    split_from_id = fields.Many2one(
        "stueber.helpdesk.ticket",
        string="Split from",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The ticket whose message became this ticket.",
    )
    split_ticket_ids = fields.One2many("stueber.helpdesk.ticket", "split_from_id", string="Split-off Tickets")

    # ------------------------------------------------------------
    # MERGE
    # ------------------------------------------------------------

    def _merge_target(self):
        """The ticket that answers for this one: itself, or the ticket it was
        merged into, followed to the end (A into B, later B into C: C)."""
        ticket, seen = self, set()
        while ticket.merged_into_id and ticket.id not in seen:
            seen.add(ticket.id)
            ticket = ticket.merged_into_id
        return ticket

    def _merge_check(self):
        """Tickets may be merged when there are two or more, none is merged
        already, and they share the institution or the customer."""
        if len(self) < 2:
            raise UserError(self.env._("Select at least two tickets to merge."))
        if self.merged_into_id:
            raise UserError(
                self.env._("Ticket %(number)s is merged already.", number=self.filtered("merged_into_id")[0].number)
            )
        institutions, customers = self.institution_id, self.partner_id
        same_institution = len(institutions) == 1 and all(self.mapped("institution_id"))
        same_customer = len(customers) == 1 and all(self.mapped("partner_id"))
        if not (same_institution or same_customer):
            raise UserError(self.env._("Only tickets of the same institution or the same customer can be merged."))

    def _merge_from(self, sources, notify_customer=True):
        """Merge ``sources`` into this ticket.

        Messages, files, activities and followers move here, oldest ticket
        first (messages keep their dates, so the chatter reads in order); the
        sources close in the "Merged" stage, which sends no status mail. The
        customers get at most one notice, from this ticket.
        """
        self.ensure_one()
        sources = (sources - self).sorted("id")
        (self | sources)._merge_check()
        for source in sources:
            self._merge_move_followers(source)
            for model in ("mail.message", "ir.attachment", "mail.activity"):
                self._merge_move_records(model, source)
            self._message_log(
                body=Markup("<p>%s</p>%s")
                % (
                    self.env._(
                        "Ticket %(number)s (%(subject)s) was merged into this ticket.",
                        number=source.number,
                        subject=source.name,
                    ),
                    source.description or "",
                )
            )
            source._message_log(body=self.env._("Merged into ticket %(number)s.", number=self.number))
        sources.write({"merged_into_id": self.id, "stage_id": self.env.ref("stueber_helpdesk.stage_merged").id})
        if notify_customer:
            self._merge_notify_customer(sources)
        return True

    def _merge_move_followers(self, source):
        """Followers of ``source`` follow this ticket with their subtypes;
        who follows here already keeps their own choice."""
        present = self.message_follower_ids.partner_id
        for follower in source.message_follower_ids.filtered(lambda f: f.partner_id not in present):
            self._message_subscribe(partner_ids=follower.partner_id.ids, subtype_ids=follower.subtype_ids.ids)

    def _merge_move_records(self, model, source):
        model_field = "model" if model == "mail.message" else "res_model"
        records = self.env[model].sudo().search([(model_field, "=", self._name), ("res_id", "=", source.id)])
        records.write({"res_id": self.id})

    def _merge_notify_customer(self, sources):
        """One message to the customers of all merged tickets (they follow this
        ticket now): from now on, one number."""
        customers = (self | sources).partner_id
        if not customers:
            return
        lang = self.partner_id.lang or customers[0].lang
        body = self.with_context(lang=lang).env._(
            "Your requests %(numbers)s are now handled together in ticket %(number)s. "
            "Please reply to this ticket from now on.",
            numbers=", ".join(sources.mapped("number")),
            number=self.number,
        )
        self.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=customers.ids,
        )

    def action_open_split(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Split Message into New Ticket"),
            "res_model": "stueber.helpdesk.ticket.split",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    # ------------------------------------------------------------
    # SPLIT
    # ------------------------------------------------------------

    def _split_message(self, message, name=None):
        """Make ``message`` of this ticket a new ticket of the same customer
        and institution; both tickets name each other."""
        self.ensure_one()
        if message.model != self._name or message.res_id != self.id:
            raise UserError(self.env._("The message does not belong to this ticket."))
        new = self.create(
            {
                "name": name or message.subject or self.name,
                "partner_id": self.partner_id.id,
                "institution_id": self.institution_id.id,
                "category_id": self.category_id.id,
                "description": message.body,
                "split_from_id": self.id,
            }
        )
        message.sudo().write({"res_id": new.id})
        message.attachment_ids.sudo().write({"res_id": new.id})
        self._message_log(body=self.env._("A message was split off into ticket %(number)s.", number=new.number))
        new._message_log(body=self.env._("Split from ticket %(number)s.", number=self.number))
        return new

    @api.model
    def _merge_split_message_domain(self, ticket_id):
        """The messages an agent may split off: what people wrote, not notes of the system."""
        return [
            ("model", "=", self._name),
            ("res_id", "=", ticket_id),
            ("message_type", "in", ("email", "comment")),
        ]
