from datetime import timedelta

from odoo import api, fields, models

# The team's routing conditions (read in one query for every new ticket).
ROUTING_CONDITIONS = ("category_ids", "institution_ids", "institution_tag_ids")
ASSIGNMENT_METHODS = [
    ("manual", "Manual"),
    ("round_robin", "Round robin"),
    ("balanced", "Balanced by open tickets"),
]


class StueberHelpdeskTeam(models.Model):
    """A group of agents that handles a share of the tickets.

    New tickets come to a team by its routing conditions (categories,
    institutions, institution tags; first matching team by sequence, else the
    default team) or by mail to the team's own alias. A team may then assign
    them to its members who are available, and sets the service levels of
    reminders and auto-close for the tickets that wait for the customer.

    Access: helpdesk users read, helpdesk managers manage.
    """

    _name = "stueber.helpdesk.team"
    _description = "Helpdesk Team"
    _inherit = ["mail.alias.mixin.optional", "stueber.helpdesk.active.cache"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    member_ids = fields.Many2many(
        "res.users",
        "stueber_helpdesk_team_member_rel",
        "team_id",
        "user_id",
        string="Agents",
        domain=lambda self: [("all_group_ids", "in", self.env.ref("stueber_helpdesk.group_stueber_helpdesk_user").id)],
    )
    lead_id = fields.Many2one(
        "res.users",
        string="Team Lead",
        domain=lambda self: [("all_group_ids", "in", self.env.ref("stueber_helpdesk.group_stueber_helpdesk_user").id)],
    )
    is_default = fields.Boolean(
        string="Default Team", help="New tickets that match no team's conditions come to this team."
    )
    assignment_method = fields.Selection(
        ASSIGNMENT_METHODS,
        required=True,
        default="manual",
        help="Manual: tickets stay unassigned until someone takes them. Round robin: the agents by turns. "
        "Balanced: the agent with the fewest open tickets. Absent agents are skipped.",
    )
    last_assigned_user_id = fields.Many2one("res.users", readonly=True, help="Where round robin goes on.")
    unassigned_notice = fields.Selection(
        [("none", "None"), ("activity", "Activity"), ("notification", "Notification")],
        string="Tell the Lead about Unassigned Tickets",
        required=True,
        default="activity",
        help="How the team lead learns of a new ticket nobody was assigned to.",
    )
    # ---- routing conditions ----
    category_ids = fields.Many2many("stueber.helpdesk.category", string="Categories")
    institution_ids = fields.Many2many("stueber.helpdesk.institution", string="Institutions")
    institution_tag_ids = fields.Many2many(
        "res.partner.category",
        string="Institution Tags",
        help="Institutions with one of these tags (e.g. 'Premium') come to this team.",
    )
    # ---- waiting for the customer ----
    reminder_days = fields.Integer(
        string="Reminder after (Working Days)",
        default=5,
        help="A ticket that waits for the customer this many working days gets a reminder mail. 0: none. "
        "Weekends, public holidays and the school holidays of the institution's state do not count.",
    )
    autoclose_days = fields.Integer(
        string="Close after (Working Days)",
        default=5,
        help="Working days after the reminder without answer, then the ticket is closed with a mail. 0: never.",
    )
    reopen_days = fields.Integer(
        string="Reopen Link Valid (Days)",
        default=14,
        help="How long the customer may reopen an automatically closed ticket with one click from the mail.",
    )
    # ---- customer satisfaction ----
    rating_request = fields.Boolean(
        string="Ask for Ratings",
        default=True,
        help="The mail of a solved ticket of this team asks the customer for a rating, "
        "while Customer Ratings are on in the settings.",
    )
    # ---- overview ----
    ticket_ids = fields.One2many("stueber.helpdesk.ticket", "team_id", string="Tickets")
    open_ticket_count = fields.Integer(compute="_compute_overview")
    unassigned_ticket_count = fields.Integer(compute="_compute_overview")
    sla_failed_week_count = fields.Integer(string="SLA Failed This Week", compute="_compute_overview")
    oldest_open_date = fields.Datetime(string="Oldest Open Ticket", compute="_compute_overview")

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    def _compute_overview(self):
        """Counts for the team lead's overview: one grouped query each, for all teams."""
        Ticket = self.env["stueber.helpdesk.ticket"]
        open_domain = [("team_id", "in", self.ids), ("is_closed", "=", False)]
        open_rows = Ticket._read_group(open_domain, ["team_id"], ["__count", "create_date:min"])
        unassigned = dict(Ticket._read_group([*open_domain, ("user_id", "=", False)], ["team_id"], ["__count"]))
        today = fields.Date.context_today(self)
        week_start = fields.Datetime.to_datetime(today - timedelta(days=today.weekday()))
        failed = dict(
            self.env["stueber.helpdesk.sla.status"]._read_group(
                [("ticket_id.team_id", "in", self.ids), ("status", "=", "failed"), ("deadline", ">=", week_start)],
                ["ticket_id.team_id"],
                ["ticket_id:count_distinct"],
            )
        )
        opened = {team: (count, oldest) for team, count, oldest in open_rows}
        for team in self:
            team.open_ticket_count, team.oldest_open_date = opened.get(team, (0, False))
            team.unassigned_ticket_count = unassigned.get(team, 0)
            team.sla_failed_week_count = failed.get(team, 0)

    # ------------------------------------------------------------
    # CRUD, ALIAS
    # ------------------------------------------------------------

    def _alias_get_creation_values(self):
        """Mail to the team's own address becomes a ticket of this team."""
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("stueber.helpdesk.ticket")
        if self.id:
            values["alias_defaults"] = repr({"team_id": self.id})
            values["alias_parent_model_id"] = self.env["ir.model"]._get_id(self._name)
            values["alias_parent_thread_id"] = self.id
        return values

    @api.model
    def _team_for_alias(self, alias):
        """The team whose own address ``alias`` is (empty for the support alias).

        The hook for the mail intake: the alias' defaults already put its
        tickets into the team; routing code that decides on its own asks here.
        """
        if not alias:
            return self.browse()
        return self.sudo().search([("alias_id", "=", alias.id)], limit=1)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def _action_tickets(self, extra_context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stueber_helpdesk.stueber_helpdesk_ticket_action")
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id, "search_default_filter_open": 1, **(extra_context or {})}
        action["display_name"] = self.name
        return action

    def action_view_tickets(self):
        return self._action_tickets()

    def action_view_unassigned(self):
        return self._action_tickets({"search_default_filter_unassigned": 1})

    def action_view_sla_failed(self):
        return self._action_tickets({"search_default_filter_sla_failed": 1})

    # ------------------------------------------------------------
    # ROUTING AND ASSIGNMENT
    # ------------------------------------------------------------

    @api.model
    def _team_for_ticket_values(self, institution, category):
        """The team a new ticket of ``institution`` and ``category`` comes to:
        the first team (by sequence) whose conditions it meets, else the
        default team. A team with conditions of two kinds needs both."""
        teams = self._stueber_active_records()
        teams._stueber_fetch_many2many(ROUTING_CONDITIONS)
        for team in teams:
            if team._matches(institution, category):
                return team
        return teams.filtered("is_default")[:1]

    def _matches(self, institution, category):
        self.ensure_one()
        if not (self.category_ids or self.institution_ids or self.institution_tag_ids):
            return False
        if self.category_ids and category not in self.category_ids:
            return False
        if self.institution_ids or self.institution_tag_ids:
            tagged = institution and bool(institution.tag_ids & self.institution_tag_ids)
            if institution not in self.institution_ids and not tagged:
                return False
        return True

    def _available_members(self):
        """The team's agents who are not absent now: neither marked "not
        available" nor on a leave (``resource.calendar.leaves`` of their
        resource) right now. One query for the leaves of all members."""
        self.ensure_one()
        members = self.member_ids.filtered(lambda user: user.active and not user.stueber_helpdesk_unavailable)
        now = fields.Datetime.now()
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("resource_id.user_id", "in", members.ids),
                    ("date_from", "<=", now),
                    ("date_to", ">", now),
                ]
            )
        )
        return members - leaves.resource_id.user_id

    def _pick_agent(self):
        """The agent the next ticket goes to by the team's method (empty for
        manual assignment or when nobody is available)."""
        self.ensure_one()
        if self.assignment_method == "manual":
            return self.env["res.users"]
        members = self._available_members().sorted("id")
        if not members:
            return members
        if self.assignment_method == "round_robin":
            later = members.filtered(lambda user: user.id > self.last_assigned_user_id.id)
            return (later or members)[:1]
        open_counts = dict(
            self.env["stueber.helpdesk.ticket"]
            .sudo()
            ._read_group(
                [("user_id", "in", members.ids), ("is_closed", "=", False)],
                ["user_id"],
                ["__count"],
            )
        )
        return min(members, key=lambda user: (open_counts.get(user, 0), user.id))

    def _assign_tickets(self, tickets):
        """Assign new tickets of this team by its method, log it on each
        ticket and tell the lead of those that stay unassigned."""
        self.ensure_one()
        for ticket in tickets:
            agent = self._pick_agent()
            if agent:
                ticket.sudo().user_id = agent
                self.sudo().last_assigned_user_id = agent
                method = dict(self._fields["assignment_method"]._description_selection(self.env))
                ticket._message_log(
                    body=self.env._(
                        "Assigned to %(agent)s by team %(team)s (%(method)s).",
                        agent=agent.name,
                        team=self.name,
                        method=method[self.assignment_method],
                    )
                )
            else:
                self._notify_lead_unassigned(ticket)

    def _notify_lead_unassigned(self, ticket):
        self.ensure_one()
        lead = self.lead_id
        if not lead or self.unassigned_notice == "none":
            return
        message = self.env._(
            "New ticket %(ticket)s in team %(team)s has no agent.", ticket=ticket.display_name, team=self.name
        )
        if self.unassigned_notice == "activity":
            ticket.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Assign this ticket"),
                note=message,
                user_id=lead.id,
            )
        else:
            ticket.sudo().message_notify(
                partner_ids=lead.partner_id.ids,
                body=message,
                subject=self.env._("Unassigned ticket %(number)s", number=ticket.number),
            )

    @api.model
    def _route_new_tickets(self, tickets):
        """Give new tickets their team by the rules, then an agent by the team's method."""
        tickets = tickets.sudo()  # portal and mail users create tickets too
        if not self._stueber_active_ids():
            return  # no team at all (cached): nothing to route, nobody to assign
        for ticket in tickets.filtered(lambda t: not t.team_id):
            team = self._team_for_ticket_values(ticket.institution_id, ticket.category_id)
            if team:
                ticket.sudo().team_id = team
        for ticket in tickets.filtered(lambda t: t.team_id and not t.user_id and not t.is_closed):
            ticket.team_id._assign_tickets(ticket)
