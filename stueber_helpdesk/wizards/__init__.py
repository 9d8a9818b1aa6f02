from . import stueber_helpdesk_call_log
