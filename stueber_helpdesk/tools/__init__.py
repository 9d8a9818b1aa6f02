from . import mail_auth, mail_loop, ticket_token
