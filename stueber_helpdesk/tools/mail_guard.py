"""Guards that keep one mail from blocking the inbox.

The fetchmail cron handles mails one after the other: a mail that keeps the
parser busy for minutes blocks every mail behind it, and under ``--workers``
the cron worker is killed at its time limit and fetches the same mail again
on the next run. Two guards stop that:

- **Limits checked before Odoo parses the mail** (``check_size`` on the raw
  bytes, ``check_structure`` on the MIME tree the standard library built):
  size, MIME depth, number of parts and size of the HTML. Odoo's parser
  sanitises the HTML of every part, again for each HTML part (quadratic), and
  in C (lxml) where nothing can interrupt it, so big and deep mails are
  refused before that starts.
- **A time budget** (``time_budget``) for what the limits cannot foresee. A
  watchdog thread raises ``MailTimeBudgetExceeded`` in the thread processing
  the mail (``PyThreadState_SetAsyncExc``) once the budget is spent.

Why a watchdog thread and not ``SIGALRM``/``setitimer``: signals reach only
the main thread of a process, but Odoo processes mail in many places: cron
threads and HTTP threads of the threaded server (mailgate calls over
XML-RPC), the main thread of a prefork worker, ``odoo shell``, tests. An
asynchronous exception works the same in all of them and touches no
process-wide signal handler (prefork workers already use ``SIGXCPU``). Like a
signal handler it is delivered between two Python bytecodes, so it cannot
stop a single long C call; the limits keep those short.

``MailTimeBudgetExceeded`` is a ``BaseException``: Odoo's parser has many
``except Exception`` fallbacks that would otherwise swallow it and go on.
"""

import ctypes
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from .cursor_cache import cursor_cache_value

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)

MB = 1024 * 1024
# Key in ``cr.cache``: the mail being processed left a trace (kept in
# Unassigned Mail, or a bounce noted on its ticket).
TRACED = "stueber_mail_traced"
# Key in ``cr.cache``: the original bytes of the mail being processed, for the
# .eml of a mail kept in Unassigned Mail (see ``raw_mail``).
RAW_MAIL = "stueber_mail_raw"


@dataclass(frozen=True)
class MailLimits:
    """The limits for one incoming mail; 0 switches a limit off."""

    max_bytes: int = 25 * MB
    max_depth: int = 20
    max_parts: int = 500
    max_html_bytes: int = 5 * MB
    time_budget: float = 60.0


class MailOverLimit(Exception):
    """A mail over one of the ``MailLimits``.

    ``reason`` is the Unassigned Mail reason (``too_large``/``too_complex``),
    ``limit`` names the limit, ``value`` and ``maximum`` say by how much.
    """

    def __init__(self, reason, limit, value, maximum):
        super().__init__(f"{limit}: {value} > {maximum}")
        self.reason = reason
        self.limit = limit
        self.value = value
        self.maximum = maximum


class MailTimeBudgetExceeded(BaseException):
    """Raised into the thread whose mail took longer than its time budget."""


def raw_mail(cr, raw):
    """The original bytes of the mail being processed, in ``cr.cache`` while
    ``message_process`` runs. Not in the context: a context that differs for
    every mail gives every mail environments of its own, which Odoo keeps
    until the garbage collector frees them and searches one by one each
    time it looks an environment up."""
    return cursor_cache_value(cr, RAW_MAIL, raw)


def headers_of(raw):
    """The headers of the raw mail, without parsing its body (cheap for any size)."""
    return BytesParser(policy=policy.SMTP).parsebytes(raw, headersonly=True)


def check_size(raw, limits):
    """Refuse a mail bigger than ``limits.max_bytes`` before anything parses it."""
    if limits.max_bytes and len(raw) > limits.max_bytes:
        raise MailOverLimit("too_large", "size", len(raw), limits.max_bytes)


def check_structure(message, limits):
    """Refuse a mail nested too deep, with too many parts or too much HTML.

    Walks the tree the standard library parsed (cheap, no decoding), without
    recursion, and stops at the first limit passed. Enclosed messages
    (``message/rfc822``) count as a level, as Odoo's parser walks into them.
    """
    html_bytes = 0
    parts = 0
    stack = [(message, 1)]
    while stack:
        part, depth = stack.pop()
        parts += 1
        if limits.max_parts and parts > limits.max_parts:
            raise MailOverLimit("too_complex", "parts", parts, limits.max_parts)
        if limits.max_depth and depth > limits.max_depth:
            raise MailOverLimit("too_complex", "depth", depth, limits.max_depth)
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if hasattr(child, "get_payload"))
        elif isinstance(payload, str) and _raw_content_type(part) == "text/html":
            html_bytes += len(payload)
            if limits.max_html_bytes and html_bytes > limits.max_html_bytes:
                raise MailOverLimit("too_complex", "html", html_bytes, limits.max_html_bytes)


def _raw_content_type(part):
    """The part's content type from its raw header (the policy's header
    objects are costly to build, once per part and call)."""
    for name, value in part.raw_items():
        if name.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower()
    return "text/plain"


class _Watchdog:
    """Raises ``MailTimeBudgetExceeded`` in one thread, unless disarmed first.

    The lock makes "fire" and "disarm" exclusive: once ``disarm`` returned, no
    exception can reach the thread any more.
    """

    def __init__(self, thread_id):
        self.thread_id = thread_id
        self.lock = threading.Lock()
        self.armed = True
        self.fired = False

    def fire(self):
        with self.lock:
            if self.armed:
                self.fired = True
                _set_async_exc(self.thread_id, MailTimeBudgetExceeded)

    def disarm(self):
        with self.lock:
            self.armed = False
            if self.fired:  # raised but perhaps not yet delivered: withdraw it
                _set_async_exc(self.thread_id, ctypes.py_object())


@contextmanager
def time_budget(seconds):
    """Raise ``MailTimeBudgetExceeded`` in this thread after ``seconds`` (wall time).

    The exception may surface anywhere in the block, and also while the block
    is being left: the caller catches it around the whole ``with`` and, as the
    work was interrupted at an arbitrary point, rolls back (a savepoint
    *around* this block). ``seconds`` 0 or less: no budget.
    """
    if not seconds or seconds <= 0:
        yield
        return
    watchdog = _Watchdog(threading.get_ident())
    timer = threading.Timer(seconds, watchdog.fire)
    timer.daemon = True
    timer.name = "stueber-mail-time-budget"
    timer.start()
    try:
        yield
    finally:
        watchdog.disarm()
        timer.cancel()
