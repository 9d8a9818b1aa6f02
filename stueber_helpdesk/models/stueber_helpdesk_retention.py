import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

DEFAULT_RETENTION_MONTHS = 24
DEFAULT_UNASSIGNED_RETENTION_DAYS = 30
BATCH_SIZE = 1000

# Tracked changes of these ticket fields name or quote the person; their
# history goes with the anonymisation. Stage, agent, priority, category and
# institution changes stay: they are the statistics.
PERSONAL_TRACKED_FIELDS = ("name", "partner_id", "email_from", "phone", "description", "email_cc", "callback_time")


class StueberHelpdeskRetention(models.AbstractModel):
    """Retention of closed tickets and unassigned mail (DSGVO Art. 5(1)(e)).

    A closed ticket is kept N months after closing (setting, default 24; an
    institution's contract may say otherwise), then anonymised: what names,
    addresses or quotes a person goes, what counts for statistics stays
    (number, dates, stage, category, institution, agent, tracked stage
    changes). Unassigned mail is deleted M days after it arrived (default 30).

    The daily cron works in batches of ``BATCH_SIZE`` and commits each one,
    so memory stays bounded and a run that is stopped resumes where it
    stopped: a ticket is due until it carries ``privacy_anonymised_date``.
    """

    _name = "stueber.helpdesk.retention"
    _description = "Helpdesk Data Retention"

    # ------------------------------------------------------------
    # SETTINGS
    # ------------------------------------------------------------

    @api.model
    def _param_int(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value else default
        except ValueError:
            return default

    @api.model
    def _retention_months(self):
        return self._param_int("stueber_helpdesk.retention_months", DEFAULT_RETENTION_MONTHS)

    @api.model
    def _unassigned_retention_days(self):
        return self._param_int("stueber_helpdesk.unassigned_retention_days", DEFAULT_UNASSIGNED_RETENTION_DAYS)

    # ------------------------------------------------------------
    # WHAT IS DUE
    # ------------------------------------------------------------

    @api.model
    def _tickets_due_domain(self, now=None):
        """Closed tickets past their retention, not anonymised yet.

        One clause for the default period and one per distinct institution
        override; dates as strings, so the domain also serves a window action.
        """
        now = now or fields.Datetime.now()
        overrides = defaultdict(list)
        institutions = (
            self.env["stueber.helpdesk.institution"]
            .sudo()
            .with_context(active_test=False)
            .search([("retention_months", ">", 0)])
        )
        for institution in institutions:
            overrides[institution.retention_months].append(institution.id)

        def closed_before(months):
            return Domain("closed_date", "<", fields.Datetime.to_string(now - relativedelta(months=months)))

        periods = [Domain("institution_id", "not in", institutions.ids) & closed_before(self._retention_months())]
        periods += [
            Domain("institution_id", "in", institution_ids) & closed_before(months)
            for months, institution_ids in overrides.items()
        ]
        return Domain("is_closed", "=", True) & Domain("privacy_anonymised_date", "=", False) & Domain.OR(periods)

    @api.model
    def _unassigned_due_domain(self, now=None):
        now = now or fields.Datetime.now()
        limit = now - relativedelta(days=self._unassigned_retention_days())
        return Domain("date", "<", fields.Datetime.to_string(limit))

    @api.model
    def _tickets_due(self, limit=None):
        Ticket = self.env["stueber.helpdesk.ticket"].sudo().with_context(active_test=False)
        return Ticket.search(self._tickets_due_domain(), limit=limit, order="id")

    @api.model
    def action_open_retention_preview(self):
        """Staff see which tickets the next run anonymises."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Will be anonymised next run"),
            "res_model": "stueber.helpdesk.ticket",
            "view_mode": "list,form",
            "domain": list(self._tickets_due_domain()),
            "context": {"active_test": False, "create": False},
        }

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_retention(self):
        self._run_retention(commit=True)

    @api.model
    def _run_retention(self, batch_size=BATCH_SIZE, commit=False):
        """Anonymise the due tickets and delete the due unassigned mail, batch by batch.

        With ``commit`` each batch is committed (and logged) on its own, and
        the cron's time budget ends the run early; the cron knows what is left
        and comes back for it.
        :return: (tickets anonymised, unassigned mails deleted)
        """
        Unassigned = self.env["stueber.helpdesk.unassigned.mail"].sudo()
        unassigned_domain = self._unassigned_due_domain()
        tickets_due = self.env["stueber.helpdesk.ticket"].sudo().with_context(active_test=False)
        if commit:
            remaining = tickets_due.search_count(self._tickets_due_domain()) + Unassigned.search_count(
                unassigned_domain
            )
            self.env["ir.cron"]._commit_progress(remaining=remaining)
        tickets_done, finished = self._run_batches(self._tickets_due, self._anonymise_batch, batch_size, commit)
        mails_done = 0
        if finished:
            mails_done, _finished = self._run_batches(
                lambda limit: Unassigned.search(unassigned_domain, limit=limit, order="id"),
                self._delete_unassigned_batch,
                batch_size,
                commit,
            )
        return tickets_done, mails_done

    @api.model
    def _run_batches(self, fetch, process, batch_size, commit):
        """:return: (records processed, whether all were: not stopped by the time budget)"""
        done = 0
        while records := fetch(batch_size):
            process(records)
            done += len(records)
            if commit:
                if not self.env["ir.cron"]._commit_progress(len(records)):
                    return done, False  # out of time: the cron comes back for the rest
                # what the batch loaded leaves the cache: memory stays bounded
                self.env.invalidate_all()
        return done, True

    @api.model
    def _anonymise_batch(self, tickets):
        self._anonymise_tickets(tickets)
        self.env["stueber.helpdesk.privacy.log"]._log(
            "retention", len(tickets), note=self.env._("closed tickets past their retention period")
        )

    @api.model
    def _delete_unassigned_batch(self, mails):
        count = len(mails)
        mails.unlink()
        self.env["stueber.helpdesk.privacy.log"]._log(
            "unassigned_cleanup", count, note=self.env._("unassigned mails past their retention period")
        )

    # ------------------------------------------------------------
    # ANONYMISATION
    # ------------------------------------------------------------

    @api.model
    def _placeholders(self):
        """The texts that replace what is deleted, in the company's language."""
        lang = self.env.company.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        return {
            "subject": env._("Anonymised ticket"),
            "content": env._("Content deleted"),
            "person": env._("Anonymised"),
        }

    @api.model
    def _anonymise_tickets(self, tickets):
        """Anonymise ``tickets`` and their messages in a few set-based queries.

        SQL, not ``write``: the ORM would recompute the institution from the
        removed customer and track the changes it is asked to forget.
        Attachments and activities go through the ORM (files, access rules).
        """
        if not tickets:
            return
        self.env.flush_all()
        cr = self.env.cr
        model = tickets._name
        ids = tickets.ids
        labels = self._placeholders()
        cr.execute(SQL("SELECT id FROM mail_message WHERE model = %s AND res_id = ANY(%s)", model, ids))
        message_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            SQL(
                """SELECT id FROM ir_attachment WHERE res_model = %s AND res_id = ANY(%s)
                   UNION SELECT attachment_id FROM message_attachment_rel WHERE message_id = ANY(%s)""",
                model,
                ids,
                message_ids,
            )
        )
        self.env["ir.attachment"].sudo().browse(row[0] for row in cr.fetchall()).unlink()
        self.env["mail.activity"].sudo().search([("res_model", "=", model), ("res_id", "in", ids)]).unlink()
        cr.execute(SQL("DELETE FROM mail_followers WHERE res_model = %s AND res_id = ANY(%s)", model, ids))
        for table, column in (
            ("mail_notification", "mail_message_id"),
            ("mail_mail", "mail_message_id"),
            ("mail_message_res_partner_rel", "mail_message_id"),
            ("mail_message_reaction", "message_id"),
            ("mail_message_link_preview", "message_id"),
        ):
            cr.execute(
                SQL("DELETE FROM %s WHERE %s = ANY(%s)", SQL.identifier(table), SQL.identifier(column), message_ids)
            )
        cr.execute(
            SQL(
                """DELETE FROM mail_tracking_value WHERE mail_message_id = ANY(%s)
                   AND field_id IN (SELECT id FROM ir_model_fields WHERE model = %s AND name = ANY(%s))""",
                message_ids,
                model,
                list(PERSONAL_TRACKED_FIELDS),
            )
        )
        self._anonymise_message_rows(message_ids, labels)
        cr.execute(
            SQL(
                """UPDATE stueber_helpdesk_ticket
                   SET name = %s, description = NULL, partner_id = NULL, email_from = NULL, phone = NULL,
                       email_cc = NULL, callback_time = NULL, access_token = NULL,
                       privacy_anonymised_date = %s
                   WHERE id = ANY(%s)""",
                labels["subject"],
                fields.Datetime.now(),
                ids,
            )
        )
        self.env.invalidate_all()

    @api.model
    def _anonymise_message_rows(self, message_ids, labels):
        """Bodies become "Content deleted"; people outside staff lose their
        name and address as authors; the company and staff stay authors."""
        self.env.cr.execute(
            SQL(
                """UPDATE mail_message
                   SET body = CASE WHEN COALESCE(body, '') = '' THEN body ELSE %(content)s END,
                       subject = NULL, reply_to = NULL, incoming_email_to = NULL, incoming_email_cc = NULL,
                       outgoing_email_to = NULL, author_guest_id = NULL,
                       email_from = CASE WHEN author_id IN %(kept)s THEN email_from ELSE %(person)s END,
                       author_id = CASE WHEN author_id IN %(kept)s THEN author_id END
                   WHERE id = ANY(%(ids)s)""",
                content=Markup("<p>%s</p>") % labels["content"],
                person=labels["person"],
                ids=message_ids,
                kept=SQL(
                    """(SELECT partner_id FROM res_users WHERE share IS NOT TRUE
                        UNION SELECT partner_id FROM res_company)"""
                ),
            )
        )
