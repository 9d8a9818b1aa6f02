from . import test_ticket
