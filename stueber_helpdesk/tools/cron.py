"""Batched crons: one helper for "this batch is done" (STYLE: plain helpers in tools/)."""


def commit_batch(env, done):
    """Close a batch of ``done`` records of a cron run; True when the cron's time is up.

    Run by the cron (``ir_cron_progress_id`` in the context), Odoo commits the
    batch and says how much time is left; called directly (tests, shell), the
    caller commits. Either way the caches are emptied, so memory is bounded by
    the batch, not by the number of records.
    """
    if env.context.get("ir_cron_progress_id"):
        time_left = env["ir.cron"]._commit_progress(done)
    else:
        env.flush_all()
        time_left = 1
    env.invalidate_all()
    return time_left <= 0
