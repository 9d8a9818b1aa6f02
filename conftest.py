"""Project-wide pytest hooks: a skipped test is a failed test.

Odoo skips browser tours, without failing, when Chromium or websocket-client is
missing; a green run must mean every test ran.
"""


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"FAILED: {len(skipped)} test(s) skipped; a skip counts as a failure.", red=True)
        session.exitstatus = 1
