from . import mail_loop, ticket_token
