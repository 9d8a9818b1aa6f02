from . import (
    stueber_helpdesk_call_log,
    stueber_helpdesk_caller_lookup,
    stueber_helpdesk_privacy_erasure,
    stueber_helpdesk_privacy_export,
    stueber_helpdesk_ticket_merge,
    stueber_helpdesk_ticket_split,
    stueber_helpdesk_unassigned_mail_assign,
)
