from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import groupby as groupbyelem
from odoo.tools import html2plaintext, plaintext2html

TICKET_MODEL = "stueber.helpdesk.ticket"


class StueberHelpdeskCustomerPortal(CustomerPortal):
    """Customers' tickets in the portal: list, new ticket, ticket page.

    Records are read as the user, so the record rules decide what a person
    sees; a ticket page is also opened by the ticket's ``access_token`` from
    a mail link. Any other ticket is answered exactly like one that does not
    exist (404; a logged-out visitor is sent to the login), so ids cannot be
    probed.
    """

    # ------------------------------------------------------------
    # HOME
    # ------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ticket_count" in counters:
            Ticket = request.env[TICKET_MODEL]
            values["ticket_count"] = Ticket.search_count([]) if Ticket.has_access("read") else 0
        return values

    def _stueber_layout_values(self, page_name):
        values = self._prepare_portal_layout_values()
        values["page_name"] = page_name
        return values

    # ------------------------------------------------------------
    # TICKET LIST
    # ------------------------------------------------------------

    def _ticket_searchbar_sortings(self):
        return {
            "date": {"label": request.env._("Newest"), "order": "id desc"},
            "update": {"label": request.env._("Last update"), "order": "write_date desc, id desc"},
            "number": {"label": request.env._("Number"), "order": "number desc"},
            "status": {"label": request.env._("Status"), "order": "stage_id, id desc"},
        }

    def _ticket_searchbar_filters(self):
        """Filters of the list; a domain is built only for the chosen filter."""
        partner = request.env.user.partner_id
        return {
            "all": {"label": request.env._("All"), "domain": lambda: Domain.TRUE},
            "mine": {"label": request.env._("Mine"), "domain": lambda: Domain("partner_id", "=", partner.id)},
            "institution": {
                "label": request.env._("My institution"),
                # Verified members only: a pending member has no verified institution.
                "domain": lambda: Domain("institution_id", "in", partner.stueber_verified_institution_ids.ids),
            },
            "open": {"label": request.env._("Open"), "domain": lambda: Domain("is_closed", "=", False)},
            "closed": {"label": request.env._("Closed"), "domain": lambda: Domain("is_closed", "=", True)},
        }

    def _ticket_searchbar_groupby(self):
        return {
            "none": {"label": request.env._("None")},
            "status": {"label": request.env._("Status")},
        }

    def _ticket_search_domain(self, search):
        if not search:
            return Domain.TRUE
        return Domain.OR(
            [
                Domain("number", "ilike", search),
                Domain("name", "ilike", search),
                Domain("description", "ilike", search),
            ]
        )

    def _prepare_tickets_values(self, page=1, sortby=None, filterby=None, search=None, groupby=None):
        """Values of the list page: one count and one search, whatever the number of tickets.

        Rows are read as the user, so the record rules and their indexes
        (partner_id, institution_id, id) select the visible tickets.
        """
        Ticket = request.env[TICKET_MODEL]
        sortings = self._ticket_searchbar_sortings()
        filters = self._ticket_searchbar_filters()
        groupbys = self._ticket_searchbar_groupby()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        groupby = groupby if groupby in groupbys else "none"
        domain = filters[filterby]["domain"]() & self._ticket_search_domain(search)
        order = sortings[sortby]["order"]
        if groupby == "status":
            order = f"stage_id, {order}"

        pager = portal_pager(
            url="/my/tickets",
            url_args={"sortby": sortby, "filterby": filterby, "search": search or "", "groupby": groupby},
            total=Ticket.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        tickets = Ticket.search_fetch(
            domain,
            ["number", "name", "stage_id", "is_closed", "partner_id", "write_date"],
            order=order,
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        if groupby == "status":
            grouped_tickets = [Ticket.concat(*group) for _stage, group in groupbyelem(tickets, lambda t: t.stage_id)]
        else:
            grouped_tickets = [tickets] if tickets else []
        values = self._stueber_layout_values("tickets")
        values.update(
            tickets=tickets,
            grouped_tickets=grouped_tickets,
            pager=pager,
            default_url="/my/tickets",
            searchbar_sortings=sortings,
            searchbar_filters=filters,
            searchbar_groupby=groupbys,
            sortby=sortby,
            filterby=filterby,
            groupby=groupby,
            search=search or "",
        )
        return values

    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"],
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        readonly=True,
    )
    def portal_my_tickets(self, page=1, sortby=None, filterby=None, search=None, groupby=None, **kw):
        values = self._prepare_tickets_values(page, sortby, filterby, search, groupby)
        return request.render("stueber_helpdesk.portal_my_tickets", values)

    # ------------------------------------------------------------
    # NEW TICKET
    # ------------------------------------------------------------

    def _attachment_max_mb(self):
        param = request.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.attachment_max_mb")
        try:
            return int(param or 25)
        except ValueError:
            return 25

    def _new_ticket_values(self, form=None, error=None):
        values = self._stueber_layout_values("new_ticket")
        values.update(
            categories=request.env["stueber.helpdesk.category"].search([]),
            form=form or {"phone": request.env.user.partner_id.phone or ""},
            error=error,
            max_mb=self._attachment_max_mb(),
        )
        return values

    def _read_uploads(self, files):
        """The uploaded files as (name, content) pairs, or an error message
        naming the first file over the size limit."""
        max_mb = self._attachment_max_mb()
        uploads = []
        for upload in files:
            if not upload or not upload.filename:
                continue
            content = upload.read()
            if len(content) > max_mb * 1024 * 1024:
                return [], request.env._(
                    'The file "%(name)s" is larger than %(max)s MB. Please attach a smaller file; '
                    "your other entries were kept, but files must be chosen again.",
                    name=upload.filename,
                    max=max_mb,
                )
            uploads.append((upload.filename, content))
        return uploads, None

    def _ticket_vals_from_form(self, form):
        vals = {
            "name": (form.get("name") or "").strip(),
            "description": plaintext2html(form.get("description") or ""),
            "callback_requested": bool(form.get("callback_requested")),
            "callback_time": (form.get("callback_time") or "").strip(),
        }
        if form.get("phone", "").strip():
            vals["phone"] = form["phone"].strip()
        category_id = form.get("category_id") or ""
        if category_id.isdigit():
            category = request.env["stueber.helpdesk.category"].browse(int(category_id)).exists()
            if category and category.has_access("read"):
                vals["category_id"] = category.id
        return vals

    @http.route("/my/tickets/new", type="http", auth="user", methods=["GET"], website=True)
    def portal_new_ticket_form(self, **kw):
        return request.render("stueber_helpdesk.portal_new_ticket", self._new_ticket_values())

    @http.route("/my/tickets/new", type="http", auth="user", methods=["POST"], website=True)
    def portal_new_ticket_submit(self, **post):
        form = {key: value for key, value in post.items() if isinstance(value, str) and key != "csrf_token"}
        error = None
        if not form.get("name", "").strip():
            error = request.env._("Please enter a subject.")
        elif form.get("callback_requested") and not form.get("phone", "").strip():
            error = request.env._("Please enter the phone number we should call back.")
        uploads, upload_error = self._read_uploads(request.httprequest.files.getlist("attachments"))
        error = error or upload_error
        if error:
            return request.render("stueber_helpdesk.portal_new_ticket", self._new_ticket_values(form, error))
        # As the user: the model keeps only the fields a portal user may set
        # and the record rules decide whether the creation is allowed.
        ticket = request.env[TICKET_MODEL].create(self._ticket_vals_from_form(form))
        ticket._portal_attach_files(uploads)
        return request.redirect(f"{ticket.access_url}?created=1")

    # ------------------------------------------------------------
    # TICKET PAGE
    # ------------------------------------------------------------

    def _ticket_check_access(self, ticket_id, access_token=None):
        """The ticket, sudoed, if the user may read it or holds its token; else None.

        Both a missing and a forbidden ticket give None, answered alike.
        """
        try:
            return self._document_check_access(TICKET_MODEL, ticket_id, access_token)
        except (AccessError, MissingError):
            return None

    def _ticket_redirect(self, ticket_sudo, access_token=None, **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        if access_token:
            query = f"{query}&access_token={access_token}" if query else f"access_token={access_token}"
        return request.redirect(f"{ticket_sudo.access_url}?{query}" if query else ticket_sudo.access_url)

    @http.route("/my/tickets/<int:ticket_id>", type="http", auth="public", methods=["GET"], website=True)
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        ticket_sudo = self._ticket_check_access(ticket_id, access_token)
        if not ticket_sudo and request.env.user._is_public():
            # Logged out, from a mail link without token: log in first, whether
            # or not the ticket exists.
            return request.redirect(f"/web/login?redirect=/my/tickets/{ticket_id}")
        if not ticket_sudo:
            return request.not_found()
        if ticket_sudo.merged_into_id:
            # the conversation goes on in the ticket it was merged into, if the user may read it
            target_sudo = self._ticket_check_access(ticket_sudo._merge_target().id)
            if target_sudo:
                return self._ticket_redirect(target_sudo, merged_from=ticket_sudo.id)
        values = self._stueber_layout_values("ticket")
        values.update(
            page_name="ticket",
            ticket=ticket_sudo,
            attachments=ticket_sudo._portal_document_attachments(),
            editable=ticket_sudo._portal_is_new(),
            description_text=html2plaintext(ticket_sudo.description or ""),
            created=kw.get("created"),
            closed=kw.get("closed"),
            reopened=kw.get("reopened"),
            saved=kw.get("saved"),
            merged_from=self._ticket_merged_from(ticket_sudo, kw.get("merged_from")),
        )
        values = self._get_page_view_values(ticket_sudo, access_token, values, "my_tickets_history", False, **kw)
        return request.render("stueber_helpdesk.portal_my_ticket", values)

    def _ticket_merged_from(self, ticket_sudo, merged_from):
        """The merged ticket a redirect came from, only if it was merged into this one."""
        if not merged_from or not str(merged_from).isdigit():
            return None
        merged_sudo = ticket_sudo.browse(int(merged_from)).exists()
        return merged_sudo if merged_sudo.merged_into_id and merged_sudo._merge_target() == ticket_sudo else None

    @http.route("/my/tickets/<int:ticket_id>/close", type="http", auth="public", methods=["POST"], website=True)
    def portal_ticket_close(self, ticket_id, access_token=None, **kw):
        ticket_sudo = self._ticket_check_access(ticket_id, access_token)
        if not ticket_sudo:
            return request.not_found()
        ticket_sudo.action_customer_close()
        return self._ticket_redirect(ticket_sudo, access_token, closed=1)

    @http.route("/my/tickets/<int:ticket_id>/reopen", type="http", auth="public", methods=["POST"], website=True)
    def portal_ticket_reopen(self, ticket_id, access_token=None, **kw):
        ticket_sudo = self._ticket_check_access(ticket_id, access_token)
        if not ticket_sudo:
            return request.not_found()
        ticket_sudo.action_customer_reopen()
        return self._ticket_redirect(ticket_sudo, access_token, reopened=1)

    @http.route("/my/tickets/<int:ticket_id>/edit", type="http", auth="public", methods=["POST"], website=True)
    def portal_ticket_edit(self, ticket_id, access_token=None, name=None, description=None, **kw):
        ticket_sudo = self._ticket_check_access(ticket_id, access_token)
        if not ticket_sudo:
            return request.not_found()
        vals = {}
        if name and name.strip():
            vals["name"] = name.strip()
        if description is not None and description.strip() != html2plaintext(ticket_sudo.description or "").strip():
            vals["description"] = plaintext2html(description)
        ticket_sudo._portal_update_new(vals)
        return self._ticket_redirect(ticket_sudo, access_token, saved=1)
