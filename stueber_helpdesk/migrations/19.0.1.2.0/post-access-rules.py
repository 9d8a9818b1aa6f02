"""19.0.1.2.0: portal access asked of PostgreSQL, no longer computed in Python and cached.

The record rules live in a ``noupdate`` file, so an upgrade would keep the
old rules, which read fields that no longer exist.
"""

from odoo import SUPERUSER_ID, api

RULES = {
    "stueber_helpdesk.stueber_helpdesk_ticket_rule_portal": ("[('portal_reader_ids', 'in', [user.partner_id.id])]"),
    "stueber_helpdesk.stueber_helpdesk_institution_rule_portal": (
        "[('effective_member_ids', 'in', [user.partner_id.id])]"
    ),
    "stueber_helpdesk.stueber_helpdesk_membership_rule_portal": (
        "['|', ('partner_id', '=', user.partner_id.id), "
        "('institution_id', 'any', [('effective_admin_ids', 'in', [user.partner_id.id])])]"
    ),
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, domain in RULES.items():
        rule = env.ref(xmlid, raise_if_not_found=False)
        if rule:
            rule.domain_force = domain
