"""19.0.1.2.0: service levels read two new flags of the stages.

The stages live in a ``noupdate`` file, so an upgrade would leave the
"Answered" stage without them: answering would not reach the first-answer
service level and waiting for the customer would not pause the clock.
Stages staff already configured otherwise are left alone.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    answered = env.ref("stueber_helpdesk.stage_answered", raise_if_not_found=False)
    if answered and not answered.is_answered and not answered.is_waiting:
        answered.write({"is_answered": True, "is_waiting": True})
