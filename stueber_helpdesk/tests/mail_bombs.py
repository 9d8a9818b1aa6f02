"""Generators of mails that keep Odoo's mail parser busy: what one real
mail did to the support inbox (3 MB of forwards within forwards, each with
its HTML: core's ``message_parse`` sanitised it for over 15 minutes).

Odoo walks into every enclosed message (message/rfc822) and, for each HTML
part of a multipart/mixed, sanitises the whole body collected so far again:
n HTML parts of s bytes cost about n² · s / 2 of sanitising.
"""

from email.message import EmailMessage
from email.policy import SMTP

HEADERS = {
    "From": "Teacher A <teacher_a@school-a.example>",
    "To": "support@test.mycompany.com",
    "Date": "Tue, 24 Nov 2026 11:00:00 +0100",
}


def _html(level, index, size):
    """An HTML part of about ``size`` bytes: a table, as mail clients quote them."""
    row = f"<tr><td class='x{index}'>Weitergeleitet {level}.{index}</td><td style='color:#333'>Text</td></tr>"
    rows = row * max(size // len(row), 1)
    return f"<html><body><p>Ebene {level}, Teil {index}</p><table>{rows}</table></body></html>"


def nested_mail(message_id, depth=3, html_parts=8, html_size=20_000, subject="WG: WG: WG: Zeugnisse", **headers):
    """A mail whose forwards enclose forwards ``depth`` levels deep, each level
    a multipart/mixed with ``html_parts`` HTML parts of ``html_size`` bytes."""
    inner = None
    for level in range(depth, 0, -1):
        message = EmailMessage(policy=SMTP)
        for name, value in {**HEADERS, **headers}.items():
            message[name] = value
        message["Subject"] = subject if level == 1 else f"Weitergeleitet {level}"
        message["Message-ID"] = f"<{message_id}-{level}@school-a.example>" if level > 1 else f"<{message_id}>"
        message.make_mixed()
        for index in range(html_parts):
            part = EmailMessage(policy=SMTP)
            part.set_content(_html(level, index, html_size), subtype="html", cte="quoted-printable")
            message.attach(part)
        if inner is not None:
            enclosed = EmailMessage(policy=SMTP)
            enclosed.set_content(inner)  # message/rfc822
            message.attach(enclosed)
        inner = message
    return inner.as_bytes()


def real_world_mail(message_id):
    """About 3 MB of forwards within forwards, five levels deep, within the
    default limits: what kept core's parser busy for over 15 minutes."""
    return nested_mail(message_id, depth=5, html_parts=28, html_size=20_000)


def deep_mail(message_id, depth):
    """A small mail whose multiparts are nested ``depth`` levels deep."""
    message = EmailMessage(policy=SMTP)
    message.set_content("Ganz innen.")
    for _level in range(depth - 1):
        outer = EmailMessage(policy=SMTP)
        outer.make_mixed()
        outer.attach(message)
        message = outer
    for name, value in HEADERS.items():
        message[name] = value
    message["Subject"] = "Verschachtelt"
    message["Message-ID"] = f"<{message_id}>"
    return message.as_bytes()


def many_parts_mail(message_id, parts):
    """A small mail with ``parts`` tiny text attachments."""
    message = EmailMessage(policy=SMTP)
    for name, value in HEADERS.items():
        message[name] = value
    message["Subject"] = "Viele Anhänge"
    message["Message-ID"] = f"<{message_id}>"
    message.set_content("Siehe Anhänge.")
    for index in range(parts):
        message.add_attachment(f"Datei {index}", filename=f"datei-{index}.txt")
    return message.as_bytes()


def big_mail(message_id, size):
    """A mail of about ``size`` bytes (one attachment)."""
    message = EmailMessage(policy=SMTP)
    for name, value in HEADERS.items():
        message[name] = value
    message["Subject"] = "Großer Anhang"
    message["Message-ID"] = f"<{message_id}>"
    message.set_content("Im Anhang das Video.")
    message.add_attachment(b"\0" * (size * 3 // 4), maintype="video", subtype="mp4", filename="video.mp4")
    return message.as_bytes()
