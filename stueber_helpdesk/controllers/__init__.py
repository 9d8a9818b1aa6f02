from . import institution, portal, reopen, signup
