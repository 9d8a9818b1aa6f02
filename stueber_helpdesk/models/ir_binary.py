from odoo import models
from odoo.exceptions import MissingError


class IrBinary(models.AbstractModel):
    _inherit = "ir.binary"

    def _find_record(self, xmlid=None, res_model="ir.attachment", res_id=None, access_token=None, field=None):
        """``/web/content`` and ``/web/image`` serve a file to whoever holds a
        token for it (the attachment's own or a signed download token that
        Odoo hands out with chatter data), bypassing the access check. Outside
        staff, a document's internal files are answered like missing ones,
        whatever the token (see ``ir.attachment._stueber_hidden_from_outsiders``)."""
        record = super()._find_record(
            xmlid=xmlid, res_model=res_model, res_id=res_id, access_token=access_token, field=field
        )
        if (
            record._name == "ir.attachment"
            and not self.env.user._is_internal()
            and record._stueber_hidden_from_outsiders()
        ):
            raise MissingError(self.env._("This file does not exist."))
        return record

    def _get_image_stream_from(self, record, field_name="raw", *args, **kwargs):
        """Odoo's portal route ``/mail/avatar/mail.message/<id>/author_avatar``
        shows the author of any message of a thread to whoever holds the
        thread's link, internal notes included: probing ids would tell which
        agent wrote a note, and when. Outside staff, an internal message of a
        ticket gets the placeholder, as a missing message does."""
        if (
            record._name == "mail.message"
            and len(record) == 1
            and not self.env.user._is_internal()
            and record._stueber_hidden_from_outsiders()
        ):
            record = record.browse()
        return super()._get_image_stream_from(record, field_name, *args, **kwargs)
