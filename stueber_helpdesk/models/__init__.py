from . import (
    mail_followers,
    mail_message,
    mail_thread,
    res_config_settings,
    res_partner,
    stueber_helpdesk_category,
    stueber_helpdesk_institution,
    stueber_helpdesk_membership,
    stueber_helpdesk_stage,
    stueber_helpdesk_ticket,
    stueber_helpdesk_unassigned_mail,
)
