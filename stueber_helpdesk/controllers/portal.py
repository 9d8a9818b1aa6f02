from werkzeug.urls import url_encode

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
                # Effective members only: a pending member has no institution with access.
                "domain": lambda: Domain("institution_id", "in", partner.stueber_access_institution_ids.ids),
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
            institutions=request.env.user.partner_id.stueber_access_institution_ids,
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
        if institution := self._stueber_own_institution(form.get("institution_id")):
            vals["institution_id"] = institution.id
        category_id = form.get("category_id") or ""
        if category_id.isdigit():
            category = request.env["stueber.helpdesk.category"].browse(int(category_id)).exists()
            if category and category.has_access("read"):
                vals["category_id"] = category.id
        return vals

    def _stueber_own_institution(self, institution_id):
        """The institution of that id if the user is an effective member of it, else an empty record."""
        institutions = request.env.user.partner_id.stueber_access_institution_ids
        return institutions.filtered(lambda i: str(i.id) == str(institution_id or ""))

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
        elif form.get("institution_id") and not self._stueber_own_institution(form["institution_id"]):
            error = request.env._("Please choose one of your institutions.")
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

    def _ticket_check_access(self, ticket_id, access_token=None, pid=None, hash=None):  # pylint: disable=redefined-builtin
        """The ticket, sudoed, if the user may read it or holds a link to it
        (the shared token, or a partner's own ``pid`` + ``hash``); else None.

        Asked of the model as every mail route asks it
        (``_get_thread_with_access``). Both a missing and a forbidden ticket
        give None, answered alike.
        """
        try:
            ticket = request.env[TICKET_MODEL]._get_thread_with_access(
                ticket_id, token=access_token, pid=pid, hash=hash
            )
        except (AccessError, MissingError, ValueError):
            return None
        return ticket.sudo() if ticket else None

    def _ticket_check_change_access(self, ticket_id, access_token=None, pid=None, hash=None):  # pylint: disable=redefined-builtin
        """The ticket, sudoed, if the user may close, reopen or edit it: a
        link alone opens it read-only; else a response (log in first, or not
        found)."""
        ticket_sudo = self._ticket_check_access(ticket_id, access_token, pid, hash)
        if ticket_sudo and ticket_sudo._portal_may_change():
            return ticket_sudo, None
        if request.env.user._is_public():
            return None, request.redirect(f"/web/login?redirect=/my/tickets/{ticket_id}")
        return None, request.not_found()

    def _ticket_redirect(self, ticket_sudo, **params):
        return request.redirect(f"{ticket_sudo.access_url}?{url_encode(params)}" if params else ticket_sudo.access_url)

    @http.route("/my/tickets/<int:ticket_id>", type="http", auth="public", methods=["GET"], website=True)
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        ticket_sudo = self._ticket_check_access(ticket_id, access_token, kw.get("pid"), kw.get("hash"))
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
            can_change=ticket_sudo._portal_may_change(),
            editable=ticket_sudo._portal_is_new() and ticket_sudo._portal_may_change(),
            share_institutions=self._stueber_share_institutions(ticket_sudo),
            description_text=html2plaintext(ticket_sudo.description or ""),
            created=kw.get("created"),
            closed=kw.get("closed"),
            reopened=kw.get("reopened"),
            saved=kw.get("saved"),
            shared=kw.get("shared"),
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

    def _stueber_share_institutions(self, ticket_sudo):
        """Where the logged-in customer may share their ticket without institution."""
        partner = request.env.user.partner_id
        if ticket_sudo.institution_id or ticket_sudo.partner_id != partner:
            return request.env["stueber.helpdesk.institution"]
        return partner.stueber_access_institution_ids

    @http.route("/my/tickets/<int:ticket_id>/share", type="http", auth="user", methods=["POST"], website=True)
    def portal_ticket_share(self, ticket_id, institution_id=None, **kw):
        """The customer gives their own ticket without institution to one they are an effective member of.

        Verifying a membership moves no earlier ticket: the member decides here.
        """
        ticket_sudo = self._ticket_check_access(ticket_id)
        if not ticket_sudo:
            return request.not_found()
        institution = self._stueber_share_institutions(ticket_sudo).filtered(
            lambda i: str(i.id) == str(institution_id or "")
        )
        if institution:
            ticket_sudo.institution_id = institution
        return self._ticket_redirect(ticket_sudo, shared=1 if institution else 0)

    @http.route("/my/tickets/<int:ticket_id>/close", type="http", auth="public", methods=["POST"], website=True)
    def portal_ticket_close(self, ticket_id, access_token=None, **kw):
        ticket_sudo, refusal = self._ticket_check_change_access(ticket_id, access_token, kw.get("pid"), kw.get("hash"))
        if refusal:
            return refusal
        ticket_sudo.action_customer_close()
        return self._ticket_redirect(ticket_sudo, closed=1)

    @http.route("/my/tickets/<int:ticket_id>/reopen", type="http", auth="public", methods=["POST"], website=True)
    def portal_ticket_reopen(self, ticket_id, access_token=None, **kw):
        ticket_sudo, refusal = self._ticket_check_change_access(ticket_id, access_token, kw.get("pid"), kw.get("hash"))
        if refusal:
            return refusal
        ticket_sudo.action_customer_reopen()
        return self._ticket_redirect(ticket_sudo, reopened=1)

    @http.route("/my/tickets/<int:ticket_id>/edit", type="http", auth="public", methods=["POST"], website=True)
    def portal_ticket_edit(self, ticket_id, access_token=None, name=None, description=None, **kw):
        ticket_sudo, refusal = self._ticket_check_change_access(ticket_id, access_token, kw.get("pid"), kw.get("hash"))
        if refusal:
            return refusal
        vals = {}
        if name and name.strip():
            vals["name"] = name.strip()
        if description is not None and description.strip() != html2plaintext(ticket_sudo.description or "").strip():
            vals["description"] = plaintext2html(description)
        ticket_sudo._portal_update_new(vals)
        return self._ticket_redirect(ticket_sudo, saved=1)
