"""How the repository becomes a package; the metadata and dependencies live in setup.cfg.

The repository keeps `templates/`, `static/` and `migrations/` at its top level, beside
`planner/`, and the translations as `.po` files only. An installed wheel has no repository around
it, so this file maps each top-level folder onto a data package inside `planner` (`_templates`,
`_static`, `_migrations`) and compiles the catalogues while building. `planner.TEMPLATES_DIR` and
friends look there first and fall back to the checkout's folders, which is what an editable
install (`make`) and the test suite use.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

#: Data package inside the installed `planner` -> the repository's top-level folder it is made of.
SHIPPED = {
    "planner._templates": "templates",
    "planner._static": "static",
    "planner._migrations": "migrations",
}
CATALOGUES = Path("planner", "translations")


class BuildWithCatalogues(build_py):
    """Also compiles `planner/translations/<locale>/LC_MESSAGES/*.po` to `.mo`, as `make
    translations` does (fuzzy entries included), and refuses a catalogue Babel finds errors in.

    A wheel gets the `.mo` files next to the copied `.po` files; an editable install gets them in
    the checkout, where the running code reads them.
    """

    def run(self) -> None:
        super().run()
        target = HERE if self.editable_mode else Path(self.build_lib)
        for po in sorted((HERE / CATALOGUES).glob("*/LC_MESSAGES/*.po")):
            relative = po.relative_to(HERE)
            compile_catalogue(po, target / relative.with_suffix(".mo"), locale=relative.parts[2])


def compile_catalogue(po: Path, mo: Path, *, locale: str) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalogue = read_po(source, locale=locale)
    problems = [
        f"{po}:{message.lineno}: {error}"
        for message, errors in catalogue.check()
        for error in errors
    ]
    if problems:
        raise SystemExit("Translation errors:\n" + "\n".join(problems))
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as target:
        write_mo(target, catalogue, use_fuzzy=True)


setup(
    packages=[*find_packages(include=["planner", "planner.*"]), *SHIPPED],
    package_dir=SHIPPED,
    # Only what is listed here is installed (no MANIFEST-driven guessing, which also made
    # setuptools warn about every data folder).
    include_package_data=False,
    package_data={
        "planner": ["translations/*/LC_MESSAGES/*.po"],
        "planner.brand": [
            "styles/*.ini",
            "styles/.vale.ini",
            "styles/*/*.yml",
            "styles/config/vocabularies/*/*.txt",
        ],
        "planner._templates": ["**/*"],
        "planner._static": ["**/*"],
        "planner._migrations": ["script.py.mako", "versions/*.py"],
    },
    cmdclass={"build_py": BuildWithCatalogues},
)
