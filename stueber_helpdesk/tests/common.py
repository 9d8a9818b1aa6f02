from odoo.tests import TransactionCase, new_test_user


class HelpdeskCase(TransactionCase):
    """Two schools, their people and one ticket each.

    The customer numbers differ from the demo schools' (10001, 20002, 30003),
    which are installed in the test database too.

    - ``school_a`` (customer number 90001): ``teacher_a`` and ``secretary_a``
      are verified members, ``newcomer_a`` registered but is still pending.
    - ``school_b`` (customer number 90002): ``teacher_b`` is a verified member.
    - ``agent`` (Helpdesk User), ``manager`` (Helpdesk Administrator) and
      ``employee`` (internal user without helpdesk rights).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        Institution = cls.env["stueber.helpdesk.institution"]
        cls.school_a = Institution.create({"name": "Grundschule am See", "customer_number": "90001"})
        cls.school_b = Institution.create({"name": "Gymnasium Nord", "customer_number": "90002"})

        cls.teacher_a = cls._portal_member("teacher_a@school-a.example", cls.school_a)
        cls.secretary_a = cls._portal_member("secretary_a@school-a.example", cls.school_a)
        cls.newcomer_a = cls._portal_member("newcomer_a@school-a.example", cls.school_a, state="pending")
        cls.teacher_b = cls._portal_member("teacher_b@school-b.example", cls.school_b)

        cls.agent = new_test_user(
            cls.env, "agent", groups="stueber_helpdesk.group_stueber_helpdesk_user", email="agent@vendor.example"
        )
        cls.manager = new_test_user(
            cls.env, "manager", groups="stueber_helpdesk.group_stueber_helpdesk_manager", email="manager@vendor.example"
        )
        cls.employee = new_test_user(cls.env, "employee", groups="base.group_user", email="employee@vendor.example")

        Ticket = cls.env["stueber.helpdesk.ticket"]
        cls.ticket_a = Ticket.create({"name": "Drucker druckt nicht", "partner_id": cls.teacher_a.partner_id.id})
        cls.ticket_b = Ticket.create({"name": "Passwort vergessen", "partner_id": cls.teacher_b.partner_id.id})
        cls.ticket_newcomer = Ticket.create(
            {"name": "Wie melde ich mich an?", "partner_id": cls.newcomer_a.partner_id.id}
        )

    @classmethod
    def _portal_member(cls, email, institution, state="verified"):
        """A portal user with a confirmed e-mail and a membership in ``institution``."""
        user = new_test_user(cls.env, email, groups="base.group_portal", email=email, name=email.split("@")[0])
        user.partner_id.sudo().stueber_confirmed_email = user.partner_id.email_normalized
        cls.env["stueber.helpdesk.membership"].create(
            {"partner_id": user.partner_id.id, "institution_id": institution.id, "state": state}
        )
        return user
