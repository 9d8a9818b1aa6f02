import base64

from markupsafe import Markup

from .common import HelpdeskCase

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class PrivacyCase(HelpdeskCase):
    """HelpdeskCase with a person who wrote a lot: ``hilde`` (verified member of
    school_a) has a ticket with her name, address and phone in it, a message
    with a file, a staff answer, and a reply on her colleague's ticket."""

    NAME = "Hildegard Quastenberg"
    EMAIL = "h.quastenberg@school-a.example"
    PHONE = "+49 30 98765432"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hilde = cls._portal_member(cls.EMAIL, cls.school_a)
        cls.hilde.write({"name": cls.NAME, "login": cls.EMAIL})
        cls.hilde.partner_id.phone = cls.PHONE
        cls.closed_stage = cls.env["stueber.helpdesk.stage"].search([("is_closed", "=", True)], limit=1)
        cls.hilde_ticket = cls._ticket_with_history(cls.hilde, "Zeugnisdruck")
        cls.colleague_ticket = cls.ticket_a  # teacher_a's, of school_a
        cls.hilde_reply = cls.colleague_ticket.with_user(cls.hilde).message_post(
            body=Markup("<p>Bei mir auch. Gruß, %s, Tel. %s</p>") % (cls.NAME, cls.PHONE),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    @classmethod
    def _ticket_with_history(cls, user, subject):
        Ticket = cls.env["stueber.helpdesk.ticket"]
        ticket = Ticket.with_user(user).create(
            {"name": f"{subject} ({cls.NAME})", "description": f"<p>Rückruf unter {cls.PHONE}</p>"}
        )
        ticket = Ticket.browse(ticket.id)
        ticket.message_post(
            author_id=user.partner_id.id,
            body=Markup("<p>Screenshot anbei. %s, %s</p>") % (cls.NAME, cls.EMAIL),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachments=[("zeugnis.png", PNG)],
        )
        ticket.with_user(cls.agent).message_post(
            body=Markup("<p>Hallo Frau %s, erledigt.</p>") % cls.NAME,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return ticket

    def close(self, ticket):
        ticket.stage_id = self.closed_stage

    def privacy_logs(self, action):
        return self.env["stueber.helpdesk.privacy.log"].sudo().search([("action", "=", action)])
