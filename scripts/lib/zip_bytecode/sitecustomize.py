"""A bytecode cache for code Python imports from zip files, for the local runs (tests and demo) only.

Ansible sends each module to its interpreter as a zip of Python sources (AnsiballZ), and zipimport compiles every
source it imports on every import, never caching the bytecode as it does for files on disk: about 0.2 s of the
0.3 s that even ansible.builtin.ping costs, paid by each of the thousands of module calls the tests make. With
SELFMANAGED_WANDB_ZIP_BYTECODE set to a directory (scripts/lib/localenv.py's ansible_process_env), the compiled code
is kept there under the hash of its source and the path inside the zip, as Python keeps .pyc files, and read back
the next time the same source is imported. The modules run unchanged; only their compilation is shared.
"""

import _imp
import hashlib
import marshal
import os
import sys
import zipimport

_CACHE = os.environ.get("SELFMANAGED_WANDB_ZIP_BYTECODE")


def _cached_compile(compile_source):
    directory = os.path.join(_CACHE, sys.implementation.cache_tag)

    def compile_or_read(pathname, source):
        inside = pathname.split(".zip" + os.sep, 1)[-1]  # the same module in another temporary zip is the same code
        path = os.path.join(directory, hashlib.sha256(inside.encode() + b"\0" + source).hexdigest())
        try:
            with open(path, "rb") as handle:
                code = marshal.loads(handle.read())
            _imp._fix_co_filename(code, pathname)  # tracebacks name this zip, as after a compile
            return code
        except (OSError, EOFError, ValueError, TypeError):
            pass
        code = compile_source(pathname, source)
        try:
            os.makedirs(directory, exist_ok=True)
            partial = "%s.%d" % (path, os.getpid())
            with open(partial, "wb") as handle:
                handle.write(marshal.dumps(code))
            os.replace(partial, path)  # whole or not at all: other processes read the same file
        except OSError:
            pass
        return code

    return compile_or_read


if _CACHE and hasattr(zipimport, "_compile_source"):
    zipimport._compile_source = _cached_compile(zipimport._compile_source)
