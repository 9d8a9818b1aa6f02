from odoo import SUPERUSER_ID, api, models
from odoo.tools import SQL

TICKET = "stueber.helpdesk.ticket"
RECEIPT_TEMPLATE = "stueber_helpdesk.mail_template_ticket_receipt"
# Key in ``cr.cache``: the receipt cron was triggered in this transaction.
TRIGGERED = "stueber_helpdesk.receipt_triggered"
BATCH_SIZE = 100  # receipts rendered and posted per transaction of the cron


class StueberHelpdeskReceipt(models.AbstractModel):
    """The receipt of a new ticket: sent at once, but not by whoever creates the ticket.

    A new ticket that should get a receipt is marked ``receipt_pending`` when
    it is created (in its INSERT), and the cron "Helpdesk: send receipts" is
    triggered. The cron renders the receipt template for a batch of tickets in
    one call and posts it on each, in the customer's language; the mark is
    cleared in the same transaction as the post, so a receipt goes out exactly
    once, and a batch that fails is simply taken again by the next run.

    Why not at creation: the mail gateway takes a new ticket in a third of
    the time without rendering, posting and notifying a receipt per mail (see
    PERFORMANCE.md), and the receipt then always follows the customer's own
    message, which is committed before the cron can see the ticket. The
    receipt is queued (``mail_notify_force_send`` off) and the mail queue
    is triggered, so neither the gateway nor this cron waits on SMTP.
    """

    _name = "stueber.helpdesk.receipt"
    _description = "Ticket Receipts"

    @api.model
    def _trigger(self):
        """Have the cron send the pending receipts as soon as it can.

        Once per transaction: the cron takes every ticket marked by the time
        it runs. ``cr.cache`` forgets that it was done at the commit and at a
        rollback, also to a savepoint, which would undo the trigger. As the
        superuser without context: the gateway creates tickets as their
        senders, and a trigger in a sender's environment would read Odoo's
        defaults again for each sender and keep the environment alive until
        the commit (Odoo looks environments up by a linear scan)."""
        cr = self.env.cr
        if cr.cache.get(TRIGGERED):
            return
        env = api.Environment(cr, SUPERUSER_ID, {})
        cron = env[TICKET]._mail_record("ir.cron", "stueber_helpdesk.ir_cron_send_receipts")
        if cron:
            cron._trigger()
            cr.cache[TRIGGERED] = True

    @api.model
    def _cron_send_pending(self):
        """Send every pending receipt, a batch per committed transaction."""
        while sent := self._send_pending():
            if not self.env["ir.cron"]._commit_progress(sent):
                self._trigger()  # out of time: the next run takes the rest at once
                return

    @api.model
    def _send_pending(self, limit=BATCH_SIZE):
        """Post the receipts of up to ``limit`` tickets marked for one and
        clear their marks (not committed: the caller commits). Returns how
        many tickets were taken.

        The tickets are claimed with ``FOR UPDATE SKIP LOCKED``: a second run
        at the same time takes other tickets, never the same ones."""
        self.env[TICKET].flush_model(["receipt_pending"])
        ticket_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """UPDATE stueber_helpdesk_ticket SET receipt_pending = FALSE
                        WHERE id IN (SELECT id FROM stueber_helpdesk_ticket WHERE receipt_pending IS TRUE
                                      ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
                    RETURNING id""",
                    limit,
                )
            )
        ]
        if not ticket_ids:
            return 0
        tickets = self.env[TICKET].sudo().browse(sorted(ticket_ids))
        tickets.invalidate_recordset(["receipt_pending"])
        template = tickets._mail_record("mail.template", RECEIPT_TEMPLATE)
        tickets = tickets.with_context(mail_notify_force_send=False).filtered(lambda t: t.partner_id.email)
        if tickets:
            self.env["stueber.helpdesk.customer.mail"]._post(template, tickets)
            tickets._mail_record("ir.cron", "mail.ir_cron_mail_scheduler_action").sudo()._trigger()
        return len(ticket_ids)
