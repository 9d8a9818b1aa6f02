"""A memo of look-ups, alive while Odoo parses and routes one mail.

Odoo's gateway asks for the same things several times per mail (the aliases
of the recipients, the contacts of the sender); the memo answers the repeats
without a query. It lives in ``cr.cache`` and ends before anything is created
(``mail.thread._message_route_process``), so no answer outlives the data it read.
"""

from .cursor_cache import cursor_cache_value

# Key in ``cr.cache`` of the memo of one mail's parsing and routing (see
# ``_stueber_routing_memo``).
ROUTING_MEMO = "stueber_mail_routing_memo"


def _stueber_routing_memo(cr):
    """A memo for alias lookups, alive while Odoo parses and
    routes one mail; ``_message_route_process`` ends it before anything is
    created, so no lookup outlives the data it read."""
    return cursor_cache_value(cr, ROUTING_MEMO, {})


def routing_memo_get(env, key, compute):
    """``compute()``, once per key while a mail is parsed and routed."""
    memo = env.cr.cache.get(ROUTING_MEMO)
    if memo is None:
        return compute()
    key = (env.uid, env.su, *key)
    if key not in memo:
        memo[key] = compute()
    return memo[key]
