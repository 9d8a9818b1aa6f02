import polib

from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


def terms_without_german(env, module):
    """The terms ``module`` shows (views, data, mails, code, spreadsheets), as
    Odoo's own export reads them, that have no German in its ``i18n/de.po``."""
    reader = TranslationModuleReader(env.cr, modules=[module])
    terms = {term[4] for term in reader if term[0] == module}  # (module, type, name, res_id, source, …)
    german = {
        entry.msgid for entry in polib.pofile(file_path(f"{module}/i18n/de.po")) if entry.msgstr and not entry.obsolete
    }
    return terms, sorted(terms - german)
