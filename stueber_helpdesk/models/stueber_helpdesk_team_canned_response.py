# A room of its own for one concept of the team: its shared canned responses.
# pylint: disable=consider-merging-classes-inherited
from odoo import Command, api, fields, models


class StueberHelpdeskTeam(models.Model):
    """Canned responses shared per team with core's means: each team has a
    user group of its own whose members are its agents and lead, kept in
    step with the team. A canned response given that group in *Authorized
    Groups* appears under "::" for the team and nobody else (core's record
    rules on ``mail.canned.response``). The group grants no other right."""

    _inherit = "stueber.helpdesk.team"

    canned_response_group_id = fields.Many2one(
        "res.groups",
        string="Group for Canned Responses",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The team's agents and lead, kept in step with the team. Share a canned response with the team "
        "by choosing this group in its Authorized Groups.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        teams._sync_canned_response_group()
        return teams

    def write(self, vals):
        res = super().write(vals)
        if {"name", "member_ids", "lead_id", "active"} & set(vals):
            self._sync_canned_response_group()
        return res

    def unlink(self):
        groups = self.canned_response_group_id
        res = super().unlink()
        groups.sudo().unlink()
        return res

    def _sync_canned_response_group(self):
        """The team's group has the team's agents and lead (nobody while the
        team is archived); only helpdesk managers edit teams, the group is
        written as superuser."""
        for team in self.sudo():
            users = (team.member_ids | team.lead_id) if team.active else self.env["res.users"]
            values = {
                "name": self.env._("Helpdesk Team %(team)s", team=team.name),
                "user_ids": [Command.set(users.ids)],
            }
            if team.canned_response_group_id:
                team.canned_response_group_id.write(values)
            else:
                team.canned_response_group_id = self.env["res.groups"].sudo().create(values)
