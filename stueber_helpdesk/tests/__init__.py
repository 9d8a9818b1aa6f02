from . import (
    test_access_rules,
    test_i18n,
    test_mail_gateway,
    test_mail_imap,
    test_mail_notifications,
    test_ticket,
    test_unassigned_mail,
)
