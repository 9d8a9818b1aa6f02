"""A value in ``cr.cache`` for the length of a block.

``cr.cache`` is the transaction's scratch space (Odoo empties it at the commit
and at any rollback): what one mail's processing needs to share without a
context key, since a context that differs per mail gives every mail
environments of its own.
"""

from contextlib import contextmanager

_MISSING = object()


@contextmanager
def cursor_cache_value(cr, key, value):
    """``cr.cache[key]`` is ``value`` while the block runs, as before after it."""
    previous = cr.cache.get(key, _MISSING)
    cr.cache[key] = value
    try:
        yield value
    finally:
        if previous is _MISSING:
            cr.cache.pop(key, None)
        else:
            cr.cache[key] = previous
