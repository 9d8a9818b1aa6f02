from . import institution, portal, portal_chatter, privacy, reopen, signup
