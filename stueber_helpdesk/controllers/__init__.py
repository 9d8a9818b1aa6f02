from . import institution, portal, privacy, signup
