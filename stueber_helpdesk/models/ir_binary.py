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
