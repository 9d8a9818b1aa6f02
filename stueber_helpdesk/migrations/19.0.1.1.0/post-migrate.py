"""19.0.1.1.0: portal users read only institutions they are verified members of.

The record rule lives in a ``noupdate`` file, so an upgrade would keep the
old rule, which let pending and rejected members read their institution.
"""

from odoo import SUPERUSER_ID, api

RULE = "stueber_helpdesk.stueber_helpdesk_institution_rule_portal"


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref(RULE, raise_if_not_found=False)
    if rule:
        rule.write(
            {
                "name": "Institutions: portal users read those they are verified members of",
                "domain_force": "[('id', 'in', user.partner_id.stueber_verified_institution_ids.ids)]",
            }
        )
