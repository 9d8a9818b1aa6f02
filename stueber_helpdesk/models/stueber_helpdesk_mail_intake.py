"""Mail intake: what becomes of a mail to the support address, decided once.

Odoo's gateway (``mail.thread.message_process``) parses a mail, finds its
routes, lets the target record take the mail, then posts it. For a route to
tickets, this room

1. decides, once per mail and without side effects (``_decide``): who sent it
   and what they may do, whether a robot sent it, which ticket it concerns,
   and what to do: post it on the ticket, reopen the ticket, open a follow-up
   ticket, open a new ticket, or keep the mail in Unassigned Mail with a
   reason. The decision is an immutable ``IntakeDecision``, carried by the
   route it yields (``IntakeRoute``) to the steps that act on it;
2. lets Odoo process that route: ``message_new`` creates the ticket with the
   values the decision gives, and the mail is posted by the author it names;
3. applies the decision's effects, in one place, once the customer's mail is
   on the ticket (``_apply``): the reopening, the follow-up notes, or keeping
   the mail with the hint to register. The receipt of a new ticket is asked
   for in its values and sent by the receipt cron after the gateway's commit
   (``stueber.helpdesk.receipt``).
"""

from dataclasses import dataclass

from odoo import api, models
from odoo.tools.mail import email_normalize

from ..tools.mail_auth import SenderAuthentication, sender_authentication
from ..tools.routing_memo import routing_memo_get
from ..tools.ticket_token import find_number

POST = "post"  # a message on an open ticket (or an automatic one on a closed ticket)
REOPEN = "reopen"  # a person's reply reopens the closed ticket
FOLLOWUP = "followup"  # a person's reply to a closed ticket opens a follow-up ticket
NEW = "new"  # a new ticket for a confirmed customer
KEEP = "keep"  # no ticket message: kept in Unassigned Mail for staff, with a reason

TICKET = "stueber.helpdesk.ticket"
UNASSIGNED = "stueber.helpdesk.unassigned.mail"


@dataclass(frozen=True)
class IntakeDecision:
    """What becomes of one incoming mail, and why."""

    action: str
    email: str  # the sender's normalised address
    senders: models.BaseModel  # res.partner: the contacts with that address, confirmed ones first
    author: models.BaseModel  # res.partner: the contact the mail is filed under (may be empty)
    ticket: models.BaseModel  # the ticket posted on, reopened or followed up; empty for new and kept mail
    automatic: bool  # sent by a robot: answered by no automatic mail, reopens nothing
    staff: bool  # the address belongs to an internal user
    authentication: SenderAuthentication | None  # what trusted mail servers say of the From (None: policy off)
    reason: str = ""  # why a kept mail was kept (a reason of Unassigned Mail)


class IntakeRoute(tuple):
    """A route of Odoo's gateway, ``(model, thread_id, custom_values,
    user_id, alias)``, that carries the decision it comes from.

    Odoo hands the routes from ``message_route`` to the loop detection, the
    author look-up and ``_message_route_process``; the decision travels with
    them instead of in the context.
    """

    decision: IntakeDecision

    def __new__(cls, route, decision):
        intake_route = super().__new__(cls, route)
        intake_route.decision = decision
        return intake_route


def decisions_of(routes):
    return [route.decision for route in routes or () if isinstance(route, IntakeRoute)]


class StueberHelpdeskMailIntake(models.AbstractModel):
    """Decides what becomes of each mail Odoo routes to tickets, and does it.

    Who may write to a ticket by mail: its customer, its followers, an
    address of the ticket's Cc field (staff's, or the customer's in the
    portal form; never a mere Cc of a mail), a verified member of its
    institution, and staff, whose mail must prove its sender (readme/SECURITY.md).
    A new mail becomes a ticket when its sender is a registered customer with
    a confirmed address. What becomes neither is kept in Unassigned Mail.
    """

    _name = "stueber.helpdesk.mail.intake"
    _description = "Mail Intake"

    # ------------------------------------------------------------
    # DECISION
    # ------------------------------------------------------------

    @api.model
    def _route(self, message, msg_dict, route):
        """The route Odoo processes for ``route`` (to tickets), with its decision."""
        decision = self._decide(message, msg_dict, route)
        model, _thread_id, custom_values, user_id, alias = route
        if decision.action == KEEP:
            # a route no record takes: _message_route_process keeps the mail instead
            return IntakeRoute((UNASSIGNED, False, None, user_id, alias), decision)
        if decision.action in (POST, REOPEN):
            return IntakeRoute((model, decision.ticket.id, custom_values, user_id, alias), decision)
        # the receipt follows the customer's mail (stueber.helpdesk.receipt); never to a robot
        values = {**(custom_values or {}), "partner_id": decision.author.id, "receipt_pending": not decision.automatic}
        if decision.action == FOLLOWUP:
            values["followup_of_id"] = decision.ticket.id
        return IntakeRoute((model, False, values, user_id, alias), decision)

    @api.model
    def _decide(self, message, msg_dict, route):
        """The one decision about a mail routed to tickets (no side effects).

        - a reply found by In-Reply-To/References concerns its ticket when
          its sender may write to it (Message-Ids travel in forwards and
          copies, so the headers alone prove nothing);
        - a new mail whose subject holds the token of a ticket the sender may
          write to concerns that ticket;
        - a person's mail to a closed ticket reopens it, or opens a follow-up
          ticket when reopening is off; robots and staff reopen nothing;
        - a mail whose sender must be authenticated (the policy: staff
          addresses, or everyone) and is not, is kept, whatever it claims;
        - any other mail becomes a ticket when its sender is a registered
          customer with a confirmed address.
        """
        email = email_normalize(msg_dict.get("email_from") or "") or ""
        senders = self._sender_partners(email)
        policy = self._auth_policy()
        facts = {
            "email": email,
            "senders": senders,
            "automatic": self.env["mail.thread"]._stueber_is_automatic_message(message),
            "staff": self._are_staff(senders),
            "authentication": None if policy == "off" else sender_authentication(message, self._auth_servers(), email),
        }
        must_prove = policy == "everyone" or (policy == "staff" and facts["staff"])
        if must_prove and not facts["authentication"].authenticated:
            return self._keep(facts, "unauthenticated")
        confirmed = senders.filtered("stueber_email_confirmed")
        thread_id = route[1]
        if thread_id:
            ticket = self.env[TICKET].sudo().browse(thread_id)
            if not self._accepts_sender(ticket, senders, email):
                reason = "foreign_reply" if confirmed else self._unknown_reason(senders)
                return self._keep(facts, reason)
            return self._decide_on_ticket(ticket, facts)
        token_ticket = self._ticket_from_subject(msg_dict.get("subject"))
        if token_ticket and self._accepts_sender(token_ticket, senders, email):
            return self._decide_on_ticket(token_ticket, facts)
        if not confirmed:
            return self._keep(facts, "foreign_token" if token_ticket else self._unknown_reason(senders))
        return IntakeDecision(NEW, author=confirmed[:1], ticket=self.env[TICKET], **facts)

    @api.model
    def _decide_on_ticket(self, ticket, facts):
        """A mail its sender may write to ``ticket``: post, reopen or follow up."""
        senders = facts["senders"]
        author = (senders & ticket.partner_id) or senders[:1]
        if not ticket.is_closed or facts["automatic"] or facts["staff"]:
            return IntakeDecision(POST, author=author, ticket=ticket, **facts)
        if self._reopen_on_reply():
            return IntakeDecision(REOPEN, author=author, ticket=ticket, **facts)
        # a follow-up is a new ticket: for a confirmed sender, or the old
        # ticket's customer writing themselves (e.g. a caller without account)
        customer = senders.filtered("stueber_email_confirmed")[:1] or senders & ticket.partner_id
        if not customer:
            return self._keep(facts, self._unknown_reason(senders))
        return IntakeDecision(FOLLOWUP, author=customer, ticket=ticket, **facts)

    @api.model
    def _keep(self, facts, reason):
        return IntakeDecision(KEEP, author=facts["senders"][:1], ticket=self.env[TICKET], reason=reason, **facts)

    # ------------------------------------------------------------
    # WHAT THE DECISION ASKS
    # ------------------------------------------------------------

    @api.model
    def _sender_partners(self, email):
        """Contacts with the normalised address ``email``, confirmed ones first
        (one indexed query per mail, which also reads their fields: Odoo's own
        look-ups of the sender while routing take these too, see ``mail.thread``)."""
        if not email:
            return self.env["res.partner"]

        def search():
            domain = [("email_normalized", "=", email)]
            partners = self.env["res.partner"].sudo().search_fetch(domain, order="id")
            return partners.sorted(lambda p: not p.stueber_email_confirmed)

        return routing_memo_get(self.env, ("sender_partners", email), search)

    @api.model
    def _ticket_from_subject(self, subject):
        """The ticket whose token the subject holds (one query on the unique number)."""
        number = find_number(subject)
        if not number:
            return self.env[TICKET]
        ticket = self.env[TICKET].sudo().with_context(active_test=False).search([("number", "=", number)], limit=1)
        return ticket._merge_target()  # a merged ticket's number leads to the ticket it was merged into

    @api.model
    def _accepts_sender(self, ticket, senders, email):
        """Whether mail from ``senders`` (the contacts of the normalised
        address ``email``) may land on ``ticket``: the customer, a follower,
        an address of the ticket's Cc field, a verified member of the
        ticket's institution, or staff."""
        ticket = ticket.sudo()
        if email and email in ticket._mail_cc_sanitized_raw_dict(ticket.email_cc):
            return True
        if not senders:
            return False
        if senders & ticket.partner_id:
            return True
        if self._are_followers(ticket, senders):
            return True
        if ticket.institution_id and ticket.institution_id in senders.stueber_access_institution_ids:
            return True
        return self._are_staff(senders)

    @api.model
    def _are_followers(self, ticket, senders):
        """One query, where ``message_partner_ids`` reads all followers in two."""
        domain = [("res_model", "=", TICKET), ("res_id", "=", ticket.id), ("partner_id", "in", senders.ids)]
        return bool(self.env["mail.followers"].sudo().search_count(domain, limit=1))

    @api.model
    def _are_staff(self, senders):
        """Whether the address belongs to an internal user (contacts without
        a user account are never staff). ``share`` is stored: no group lookup."""
        return any(not user.share for user in senders.sudo().user_ids)

    @api.model
    def _unknown_reason(self, senders):
        return "unconfirmed_sender" if senders.sudo().user_ids else "unknown_sender"

    @api.model
    def _auth_policy(self):
        """Whose mail must be authenticated: "off", "staff" (default) or "everyone"."""
        return self.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.mail_auth_policy") or "staff"

    @api.model
    def _auth_servers(self):
        """The authserv-ids of the operator's mail servers, whose Authentication-Results count."""
        servers = self.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.mail_auth_servers") or ""
        return [server.strip() for server in servers.split(",") if server.strip()]

    @api.model
    def _reopen_on_reply(self):
        return bool(self.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.reopen_on_reply"))

    # ------------------------------------------------------------
    # EFFECTS
    # ------------------------------------------------------------

    @api.model
    def _apply(self, decision, message, msg_dict, thread_id):
        """What follows the decision once Odoo has processed its route (the
        mail is on the ticket ``thread_id``, or, kept, on none)."""
        if decision.action == KEEP:
            auth = decision.authentication
            self.env[UNASSIGNED].sudo()._keep_message(
                message,
                msg_dict,
                decision.reason,
                automatic=decision.automatic,
                auth_results=auth.summary() if auth and decision.reason == "unauthenticated" else None,
            )
            return
        ticket = self.env[TICKET].sudo().browse(thread_id)
        if decision.action == REOPEN:
            ticket.write({"stage_id": ticket._reopen_stage().id})
        elif decision.action == FOLLOWUP:
            ticket._mail_log_followup()
