import re
from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged

# The languages of the clients the original products were written for:
# file name of the catalog, Odoo's language code.
LANGUAGES = {"uk": "uk_UA", "ru": "ru_RU", "bg": "bg_BG", "sl": "sl_SI"}
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]+\)[sd]|%[sd]|\{[a-zA-Z_]*\}")
TAG = re.compile(r"</?([a-zA-Z][\w.:-]*)")


class TranslationChecks:
    """Checks of an addon's catalogs: complete, with the placeholders and
    markup of their source, and loaded by Odoo without a warning."""

    addon = None

    def _catalog(self, name):
        return polib.pofile(str(Path(get_module_path(self.addon)) / "i18n" / name))

    def test_catalogs_complete_and_faithful(self):
        template = self._catalog(f"{self.addon}.pot")
        sources = [entry for entry in template if entry.msgid]
        self.assertTrue(sources)
        for language in LANGUAGES:
            catalog = self._catalog(f"{language}.po")
            translated = {(entry.msgctxt, entry.msgid): entry for entry in catalog}
            for source in sources:
                with self.subTest(language=language, msgid=source.msgid[:60]):
                    entry = translated.get((source.msgctxt, source.msgid))
                    self.assertTrue(entry and entry.msgstr.strip(), "not translated")
                    self.assertNotIn("fuzzy", entry.flags)
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(entry.msgstr)),
                        sorted(PLACEHOLDER.findall(source.msgid)),
                        "placeholders differ",
                    )
                    self.assertEqual(
                        sorted(TAG.findall(entry.msgstr)),
                        sorted(TAG.findall(source.msgid)),
                        "markup differs",
                    )

    def test_languages_load_without_warning(self):
        module = self.env["ir.module.module"].search([("name", "=", self.addon)])
        prefix = "model:ir.model.fields,field_description:"
        for language, code in LANGUAGES.items():
            with self.subTest(language=language):
                self.env["res.lang"]._activate_lang(code)
                with self.assertNoLogs(level="WARNING"):
                    module._update_translations(filter_lang=code, overwrite=True)
                # A field's label reads in the language now.
                entry, xmlid = next(
                    (entry, path[len(prefix) :])
                    for entry in self._catalog(f"{language}.po")
                    for path, _line in entry.occurrences
                    if path.startswith(prefix)
                )
                field = self.env.ref(xmlid).with_context(lang=code)
                self.assertEqual(field.field_description, entry.msgstr)


@tagged("post_install", "-at_install")
class TestTranslations(TranslationChecks, TransactionCase):
    addon = "client_balance"
