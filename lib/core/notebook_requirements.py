"""The oldest package versions a take-home notebook accepts, and the first cell that checks them.

Each notebook's first cell lists the packages it imports (`install_cell(modules)` in each builder) with the
minimums below; it upgrades only what is missing or older (`%pip`, which Colab and Jupyter run), and in a
plain Python, which has no `%pip`, prints the one `pip install` line to run. CI executes every default
notebook on exactly these versions (requirements-notebooks-oldest.txt, tests/test_notebooks_oldest.py).
"""
from __future__ import annotations

import inspect
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

# import name -> pip name
PIP_NAMES = {
    "numpy": "numpy", "pandas": "pandas", "matplotlib": "matplotlib", "scipy": "scipy", "sklearn": "scikit-learn",
    "torch": "torch", "geopandas": "geopandas", "shapely": "shapely", "pyproj": "pyproj", "pyogrio": "pyogrio",
}
# pip name -> oldest version, each the one requirements-notebooks-oldest.txt pins (a test keeps them equal),
# except torch: CI can run only the 2.13.0 CPU build this machine installs offline, and asking for it would
# make Colab (torch 2.11 in its August 2026 list) download gigabytes; the notebooks use only torch 2.0 APIs.
MINIMUM_VERSIONS = {
    "numpy": "2.0.2", "pandas": "2.2.2", "scikit-learn": "1.6.1", "matplotlib": "3.10.0", "scipy": "1.14.1",
    "geopandas": "1.0.1", "shapely": "2.0.6", "pyproj": "3.7.0", "pyogrio": "0.10.0", "torch": "2.11",
}
TORCH_TESTED_OLDEST = "2.13.0"

def release(text: str) -> tuple[int, ...]:
    """A version's leading numbers, "2.1.0rc1+cpu" -> (2, 1, 0): enough to compare against a minimum."""
    numbers = []
    for part in text.split("+")[0].split("."):
        digits = ""
        for character in part:
            if not character.isdigit():
                break
            digits += character
        if not digits:
            break
        numbers.append(int(digits))
        if digits != part:
            break
    return tuple(numbers)


def installed_versions(packages: dict[str, str]) -> dict[str, str | None]:
    """Each package's installed version, or None where it is missing."""
    found = {}
    for package in packages:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


def to_install(needed: dict[str, str], installed: dict[str, str | None]) -> list[str]:
    """The pip requirements for what is missing or older than its minimum."""
    return [f"{package}>={minimum}" for package, minimum in needed.items()
            if installed.get(package) is None or release(installed[package]) < release(minimum)]


# The first cell's steps after its definitions: standard library only, so it runs before any install.
INSTALL_STEPS = '''
wanted = to_install(NEEDED, installed_versions(NEEDED))
try:
    shell = get_ipython()  # IPython, Jupyter and Colab have one; a plain Python, with no %pip, has not
except NameError:
    shell = None
if not wanted:
    print("All packages present.")
elif shell is not None:
    shell.run_line_magic("pip", "install -q " + " ".join(f'"{requirement}"' for requirement in wanted))
    print(f"Installed {', '.join(wanted)}. If one was upgraded, restart the kernel (Colab: Runtime > Restart "
          "session), then run the notebook again.")
else:
    print("Please install first: pip install " + " ".join(f'"{requirement}"' for requirement in wanted))
'''


def needed_versions(modules: Sequence[str]) -> dict[str, str]:
    """pip name -> minimum for the modules a notebook imports (KeyError for a module not in the table)."""
    return {PIP_NAMES[module]: MINIMUM_VERSIONS[PIP_NAMES[module]] for module in modules}


def check_source(modules: Sequence[str]) -> str:
    """The first code cell: check versions, then install what is below the minimum, or say what to install."""
    return ("# Install or upgrade only what is missing or too old (Colab has all of these), so offline with all\n"
            "# present this cell does nothing. It runs %pip install \"package>=minimum\" for the others.\n"
            f"NEEDED = {needed_versions(modules)!r}\n\n"
            "from importlib.metadata import PackageNotFoundError, version\n\n\n"
            + "\n\n\n".join(inspect.getsource(step) for step in (release, installed_versions, to_install))
            + "\n" + INSTALL_STEPS)
