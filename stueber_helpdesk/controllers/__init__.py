from . import institution, portal, signup
