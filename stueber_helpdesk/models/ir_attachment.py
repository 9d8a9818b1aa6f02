from odoo import api, models
from odoo.fields import Domain
from odoo.tools import SQL

PORTAL_MIXIN = "stueber.helpdesk.portal.mixin"


class IrAttachment(models.Model):
    """Which files of a document people outside staff may reach
    (documents with ``stueber.helpdesk.portal.mixin``).

    Odoo's access rights give portal and public users no access to
    ``ir.attachment`` at all: they reach files only through tokens, which
    Odoo hands out with the files it shows them (the web client's thread
    data, the portal chatter, our ticket page). The gates are therefore where
    such files are listed (``_get_mail_thread_data_attachments``) and where a
    token is honoured (``ir.binary._find_record``); both ask this model.
    """

    _inherit = "ir.attachment"

    def _stueber_hidden_from_outsiders(self):
        """The attachments of ``self`` that people outside staff may not reach,
        whatever token or right they hold on the document."""
        models = (*self._stueber_portal_models(), "mail.activity")
        candidates = self.sudo().filtered(lambda attachment: attachment.res_model in models)
        if not candidates:
            return self.browse()
        visible = candidates.search(
            Domain("id", "in", candidates.ids) & Domain.custom(to_sql=self._stueber_outsider_visible_sql)
        )
        return self.browse((candidates - visible).ids)

    @api.model
    def _stueber_portal_models(self):
        """The models whose files outsiders see only in part."""
        registry = self.env.registry
        return tuple(name for name in registry.descendants([PORTAL_MIXIN], "_inherit") if not registry[name]._abstract)

    @api.model
    def _stueber_outsider_visible_sql(self, model, alias, query):
        """SQL of "outsiders may reach this file": a file of another model
        (its own rules apply), a file the customer side uploaded (created by a
        portal or public user), or a file of a message the customer side sees
        (the same test as ``mail.message._get_search_domain_share``). Files of
        activities on such documents never qualify."""
        portal_models = self._stueber_portal_models()
        return SQL(
            """((
                (%(att)s.res_model IS NULL OR %(att)s.res_model NOT IN %(models)s)
                AND NOT (
                    %(att)s.res_model = 'mail.activity'
                    AND EXISTS (
                        SELECT 1 FROM mail_activity act
                         WHERE act.id = %(att)s.res_id AND act.res_model IN %(models)s
                    )
                )
            ) OR (
                %(att)s.res_model IN %(models)s AND (
                    EXISTS (SELECT 1 FROM res_users u WHERE u.id = %(att)s.create_uid AND u.share)
                    OR EXISTS (
                        SELECT 1
                          FROM message_attachment_rel rel
                          JOIN mail_message msg ON msg.id = rel.message_id
                          JOIN mail_message_subtype st ON st.id = msg.subtype_id
                         WHERE rel.attachment_id = %(att)s.id
                           AND msg.model = %(att)s.res_model
                           AND msg.res_id = %(att)s.res_id
                           AND msg.is_internal IS NOT TRUE
                           AND st.internal IS NOT TRUE
                    )
                )
            ))""",
            att=SQL.identifier(alias),
            models=portal_models,
        )
