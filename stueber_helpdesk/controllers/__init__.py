from . import institution, portal, portal_chatter, signup
