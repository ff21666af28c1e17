#!/usr/bin/env python3
"""A folder of server/src may not use a header of a folder it does not link (ARCHITECTURE.md,
"Folders of server/src"). This compiles one boundary file (tests/boundaries/*.cpp) with the very
flags the build gives that folder's own sources (compile_commands.json), twice:
  - with only its allowed header: it must compile (so a failure below is the boundary's);
  - whole: it must fail, because the forbidden header is not found.
Usage: check_boundary.py <build dir> <boundary file>"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile


def fail(why):
    print(f"FAIL: {why}")
    sys.exit(1)


build_dir, boundary = sys.argv[1], os.path.abspath(sys.argv[2])
text = open(boundary, encoding="utf-8").read()
fields = dict(re.findall(r"^// (folder|allowed|forbidden): (\S+)$", text, re.M))
if set(fields) != {"folder", "allowed", "forbidden"}:
    fail(f"{boundary}: needs '// folder:', '// allowed:' and '// forbidden:' lines")
folder = os.path.join("server", "src", fields["folder"])

entries = json.load(open(os.path.join(build_dir, "compile_commands.json"), encoding="utf-8"))


def sources_of(entry):
    """The files an entry compiles: itself, or for a batch of a unity build (RELAIS_UNITY_BUILD,
    CMakeFiles/<target>.dir/Unity/unity_N_cxx.cxx) the sources it includes."""
    f = entry["file"]
    if f.endswith(".cxx") and os.sep + "Unity" + os.sep in f and os.path.exists(f):
        return re.findall(r'^#include "([^"]+)"', open(f, encoding="utf-8").read(), re.M)
    return [f]


own = [e for e in entries if any(os.path.dirname(s).endswith(os.sep + folder) for s in sources_of(e))]
if not own:
    fail(f"no source of server/src/{fields['folder']} in {build_dir}/compile_commands.json")
entry = own[0]
args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
if os.path.basename(args[0]) == "ccache":
    args = args[1:]
# Keep the compiler and its flags; drop the output, the dependency file and the source.
kept, skip = [], False
for a in args:
    if skip:
        skip = False
        continue
    if a in ("-o", "-MF", "-MT", "-MQ"):
        skip = True
        continue
    if a in ("-c", "-MD", "-MMD") or a == entry["file"] or a.endswith(os.path.basename(entry["file"])):
        continue
    kept.append(a)


def compile_text(source):
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(source)
    try:
        r = subprocess.run(kept + ["-fsyntax-only", f.name], cwd=entry["directory"], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return r.returncode, r.stdout + r.stderr


include_forbidden = f'#include "{fields["forbidden"]}"'
code, out = compile_text(text.replace(include_forbidden, ""))
if code != 0:
    fail(f"server/src/{fields['folder']} cannot even include its allowed {fields['allowed']}:\n{out}")
code, out = compile_text(text)
missing = re.search(re.escape(fields["forbidden"]) + r"(: No such file or directory|' file not found)", out)
if code == 0:
    fail(f"server/src/{fields['folder']} can include {fields['forbidden']}: the boundary is open")
if not missing:
    fail(f"compiling failed, but not because {fields['forbidden']} was out of reach:\n{out}")
print(f"ok: server/src/{fields['folder']} sees {fields['allowed']} and not {fields['forbidden']}")
