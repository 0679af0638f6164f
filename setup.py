"""The one build step pyproject.toml cannot declare: the browser code from npm.

The officer app and the board load socket.io-client from the box itself
(``/vendor/socket.io.min.js``: a lane may have no internet), and that file is
never committed minified: package.json and package-lock.json pin it, ``npm
ci`` fetches it into node_modules, and this step copies it into the ``pwa``
package — so a wheel holds it and a box needs no node. Everything else about
the package is in pyproject.toml.

It is a build sub-command of its own (``build_vendor``), not a change to
``build_py``: setuptools' editable builds (PEP 660, ``pip install -e``, what
``make install`` runs) ignore a failing custom ``build_py`` with a warning,
but let a failing sub-command fail the install. In an editable build the
file is written in place, to pwa/vendor/ of the checkout, as setuptools asks
of sub-commands whose files sit beside Python code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from setuptools import Command, setup
from setuptools.command.build import build
from setuptools.errors import ExecError, FileError

PROJECT = Path(__file__).resolve().parent
NODE_MODULES = PROJECT / "node_modules"
NPM_FILES = ("package.json", "package-lock.json")
VENDOR_DIR = ("pwa", "vendor")
VENDOR = {"socket.io.min.js": ("socket.io-client", "dist/socket.io.min.js")}
"""What the apps load from ``/vendor/<name>``: name -> (npm package, file in it).
common/web/static.py serves exactly these names."""


def locked_version(package: str) -> str:
    """The version of ``package`` that package-lock.json pins."""
    lock = json.loads((PROJECT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


def npm_file(name: str) -> Path:
    """Where the vendored file ``name`` is in node_modules."""
    package, path = VENDOR[name]
    return NODE_MODULES / package / path


def installed_version(package: str) -> str | None:
    """The version of ``package`` in node_modules, or None when it is not there."""
    manifest = NODE_MODULES / package / "package.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else None


def stale_packages() -> list[str]:
    """The vendored packages whose node_modules copy is missing, or is not the
    version package-lock.json pins (a lock updated since the last ``npm ci``)."""
    return sorted({package for package, _ in VENDOR.values()
                   if installed_version(package) != locked_version(package)})


def ensure_node_modules() -> None:
    """Run ``npm ci`` when node_modules lacks what the lock pins; fail with one
    line saying what is missing when there is no npm to run, or it fails."""
    stale = stale_packages()
    if not stale:
        return
    wanted = ", ".join(f"{package} {locked_version(package)}" for package in stale)
    npm = shutil.which("npm")
    if npm is None:
        raise FileError(f"lanebox needs {wanted} (package-lock.json) in node_modules to build, and npm is not "
                        f"on PATH: install Node.js and npm, or run `npm ci` in {PROJECT}, then build again")
    # --ignore-scripts: the build only copies files out of the packages; none of their scripts need to run
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=PROJECT, check=False)
    if done.returncode != 0:
        raise ExecError(f"`npm ci` failed (exit {done.returncode}) installing {wanted} in {PROJECT}; "
                        f"its output is above")
    if stale_packages():
        raise FileError(f"`npm ci` ran but node_modules still lacks {wanted}: is package-lock.json up to date?")


class BuildVendor(Command):
    """Copy the browser code the apps load from npm's node_modules into
    ``pwa/vendor/`` of the build (of the checkout, for an editable install)."""

    description = "copy socket.io-client from node_modules into the pwa package"
    user_options: list[tuple[str, str | None, str]] = []
    editable_mode = False
    build_lib: str

    def initialize_options(self) -> None:
        self.build_lib = None  # type: ignore[assignment]  # set_undefined_options fills only a None

    def finalize_options(self) -> None:
        self.set_undefined_options("build_py", ("build_lib", "build_lib"))

    def run(self) -> None:
        ensure_node_modules()
        into = PROJECT if self.editable_mode else Path(self.build_lib)
        for name in VENDOR:
            target = into.joinpath(*VENDOR_DIR, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(npm_file(name), target)

    def get_outputs(self) -> list[str]:
        return list(self.get_output_mapping())

    def get_output_mapping(self) -> dict[str, str]:
        """Each file in the build -> where it comes from: node_modules, or for an
        editable build the copy in the checkout, which the install points at."""
        return {str(Path(self.build_lib, *VENDOR_DIR, name)):
                str(PROJECT.joinpath(*VENDOR_DIR, name) if self.editable_mode else npm_file(name))
                for name in VENDOR}

    def get_source_files(self) -> list[str]:
        """What an sdist must carry for this step to run: npm's package files."""
        return list(NPM_FILES)


class Build(build):
    """setuptools' build, plus the vendor copy, from an empty build folder."""

    sub_commands = [*build.sub_commands, ("build_vendor", None)]

    def run(self) -> None:
        # setuptools never clears what an earlier build left in build/lib, and
        # a wheel takes all of it: a file deleted from the source would ship on
        shutil.rmtree(self.build_lib, ignore_errors=True)
        super().run()


setup(cmdclass={"build": Build, "build_vendor": BuildVendor})
