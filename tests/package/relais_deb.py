"""The relais .deb that the package and image tests check: RELAIS_DEB=FILE; else the newest
relais_*.deb in RELAIS_DEB_DIR=DIR (ctest's, built by package.build); else one built now with
image/build-deb into the caller's folder."""

import glob
import os
import subprocess

SOURCE = os.environ.get("RELAIS_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def find_deb(out_dir):
    if os.environ.get("RELAIS_DEB"):
        return os.environ["RELAIS_DEB"]
    if os.environ.get("RELAIS_DEB_DIR"):
        debs = sorted(glob.glob(os.path.join(os.environ["RELAIS_DEB_DIR"], "relais_*.deb")), key=os.path.getmtime)
        if debs:
            return debs[-1]
    built = subprocess.run([os.path.join(SOURCE, "image", "build-deb"), out_dir], capture_output=True, text=True)
    if built.returncode != 0:
        raise AssertionError(f"image/build-deb failed:\n{built.stdout[-4000:]}\n{built.stderr[-4000:]}")
    return built.stdout.strip().splitlines()[-1]
