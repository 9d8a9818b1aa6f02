from . import test_access_rules, test_ticket
from . import test_i18n
