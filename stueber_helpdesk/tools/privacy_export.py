"""The ZIP of a person's data (DSGVO Art. 15), from plain data: no ORM here.

Layout::

    data.json                  everything, machine-readable
    index.html                 the account, readable, with links to the tickets
    tickets/<number>.html      one readable page per ticket
    tickets/<number>/<file>    the ticket's files
"""

import io
import json
import re
import zipfile

from markupsafe import Markup

_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\\/:*?\"<>|]+")


def safe_filename(name, fallback="file"):
    """A file name that stays in its folder of the ZIP, whatever a sender called it."""
    name = _UNSAFE_FILENAME.sub("_", name or "").strip(" .")
    return name[:120] or fallback


def _page(title, body):
    return Markup(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><title>%s</title>'
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{text-align:left;padding:.2em .6em;vertical-align:top}"
        ".message{border-top:1px solid #ccc;padding:.5em 0}</style></head>"
        "<body><h1>%s</h1>%s</body></html>\n"
    ) % (title, title, body)


def _table(rows):
    return Markup("<table>%s</table>") % Markup("").join(
        Markup("<tr><th>%s</th><td>%s</td></tr>") % (label, value if value not in (None, False) else "")
        for label, value in rows
    )


def _ticket_page(ticket, labels):
    rows = [(labels[key], ticket[key]) for key in ("number", "subject", "status", "created", "closed", "institution")]
    parts = [_table(rows)]
    if ticket.get("description"):
        parts.append(Markup("<h2>%s</h2><div>%s</div>") % (labels["description"], Markup(ticket["description"])))
    if ticket["files"]:
        parts.append(Markup("<h2>%s</h2><ul>%s</ul>") % (labels["attachments"], _file_links(ticket["files"])))
    parts.append(Markup("<h2>%s</h2>") % labels["messages"])
    for message in ticket["messages"]:
        parts.append(
            Markup('<div class="message"><p><strong>%s</strong> · %s</p><div>%s</div><ul>%s</ul></div>')
            % (message["author"], message["date"], Markup(message["body"] or ""), _file_links(message["files"]))
        )
    return _page(f"{labels['ticket']} {ticket['number']}", Markup("").join(parts))


def _file_links(files):
    return Markup("").join(
        Markup('<li><a href="%s">%s</a></li>') % (file["path"].split("/", 1)[1], file["name"]) for file in files
    )


def _index_page(data, labels):
    account = data["account"]
    parts = [
        _table([(labels[key], account[key]) for key in ("name", "email", "phone", "login", "created")]),
        Markup("<h2>%s</h2>") % labels["memberships"],
        Markup("<ul>%s</ul>")
        % Markup("").join(Markup("<li>%s (%s)</li>") % (m["institution"], m["state"]) for m in account["memberships"]),
        Markup("<h2>%s</h2>") % labels["tickets"],
        Markup("<ul>%s</ul>")
        % Markup("").join(
            Markup('<li><a href="tickets/%s.html">%s %s</a></li>')
            % (safe_filename(t["number"]), t["number"], t["subject"])
            for t in data["tickets"]
        ),
    ]
    if data["messages_elsewhere"]:
        parts.append(Markup("<h2>%s</h2>") % labels["messages_elsewhere"])
        for message in data["messages_elsewhere"]:
            parts.append(
                Markup('<div class="message"><p><strong>%s %s</strong> · %s</p><div>%s</div></div>')
                % (labels["ticket"], message["ticket"], message["date"], Markup(message["body"] or ""))
            )
    return _page(labels["title"], Markup("").join(parts))


def build_export_zip(data, file_contents, labels):
    """The ZIP (bytes) of ``data`` (JSON-ready: account, tickets with messages
    and files, messages on other tickets); ``file_contents`` maps each file's
    ``path`` (as given in ``data``) to its bytes; ``labels`` are the
    translated headings."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        archive.writestr("index.html", str(_index_page(data, labels)))
        for ticket in data["tickets"]:
            archive.writestr(f"tickets/{safe_filename(ticket['number'])}.html", str(_ticket_page(ticket, labels)))
        for path, content in file_contents.items():
            archive.writestr(path, content)
    return buffer.getvalue()


__all__ = ["build_export_zip", "safe_filename"]
