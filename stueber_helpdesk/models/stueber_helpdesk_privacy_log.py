from odoo import api, fields, models
from odoo.exceptions import UserError

PRIVACY_ACTIONS = [
    ("retention", "Retention: tickets anonymised"),
    ("unassigned_cleanup", "Retention: unassigned mail deleted"),
    ("export_portal", "Data export by the person (portal)"),
    ("export_staff", "Data export by staff"),
    ("erasure_request", "Erasure requested"),
    ("erasure", "Erasure"),
    ("membership_removal", "Membership removed"),
]


class StueberHelpdeskPrivacyLog(models.Model):
    """The record of data-protection actions (DSGVO Art. 5(2), accountability).

    Who did what, when, to how many records; never the personal data itself:
    the person concerned is named by the id of their contact only, which means
    nothing once the contact is erased, and ``note`` is written by the code,
    never from input.

    Access matrix:
    - Helpdesk Administrator: read.
    - Everybody else: nothing. Entries are written by the code (``_log``);
      nobody, not even the superuser, edits or deletes one.
    """

    _name = "stueber.helpdesk.privacy.log"
    _description = "Data Protection Log"
    _order = "date desc, id desc"
    _rec_name = "action"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Done by",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The user who acted; empty for a person whose account has been erased since.",
    )
    action = fields.Selection(PRIVACY_ACTIONS, required=True, readonly=True, index=True)
    record_count = fields.Integer(string="Records", readonly=True, help="How many records the action concerned.")
    subject_partner_ref = fields.Integer(
        string="Contact ID",
        readonly=True,
        aggregator=None,
        help="The id of the person's contact, without name or address (a pseudonym that links a request "
        "to its erasure).",
    )
    note = fields.Char(readonly=True, help="What was done, in numbers (no personal data).")

    @api.model
    def _log(self, action, record_count=0, partner=None, note=None):
        """Record ``action``; the only way entries are made."""
        return (
            self.sudo()
            .with_context(stueber_privacy_log_write=True)
            .create(
                {
                    "action": action,
                    "user_id": self.env.uid,
                    "record_count": record_count,
                    "subject_partner_ref": partner.id if partner else 0,
                    "note": note or False,
                }
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("stueber_privacy_log_write"):
            raise UserError(self.env._("Entries of the data protection log are written by the system only."))
        return super().create(vals_list)

    def write(self, vals):  # pylint: disable=method-required-super
        # never written, not even by the superuser: the record of what was done
        raise UserError(self.env._("Entries of the data protection log cannot be changed."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_always(self):
        raise UserError(self.env._("Entries of the data protection log cannot be deleted."))
