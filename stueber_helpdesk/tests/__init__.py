from . import (
    test_access_rules,
    test_i18n,
    test_mail_gateway,
    test_mail_imap,
    test_mail_notifications,
    test_portal,
    test_portal_attacks,
    test_portal_queries,
    test_ticket,
    test_unassigned_mail,
)
