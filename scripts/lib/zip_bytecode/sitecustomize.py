"""Caches for the local runs (tests and demo) only: the bytecode of code Python imports from zip files, and (below)
what each source a module's payload is built from imports.

Ansible sends each module to its interpreter as a zip of Python sources (AnsiballZ), and zipimport compiles every
source it imports on every import, never caching the bytecode as it does for files on disk: about 0.2 s of the
0.3 s that even ansible.builtin.ping costs, paid by each of the thousands of module calls the tests make. With
SELFMANAGED_WANDB_ZIP_BYTECODE set to a directory (scripts/lib/localenv.py's ansible_process_env), the compiled code
is kept there under the hash of its source and the path inside the zip, as Python keeps .pyc files, and read back
the next time the same source is imported. The modules run unchanged; only their compilation is shared.
"""

import os
import sys

# A module's Python (started with no arguments, reading its code from stdin) has a warm one run it (warm_python.py),
# before it imports anything else
if os.environ.get("SELFMANAGED_WANDB_WARM_PYTHON") and len(sys.orig_argv) == 1:
    from warm_python import hand_over

    hand_over(os.environ["SELFMANAGED_WANDB_WARM_PYTHON"])

import _imp  # noqa: E402
import hashlib  # noqa: E402
import marshal  # noqa: E402
import zipimport  # noqa: E402

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


# Where ansible-playbook builds a module's AnsiballZ payload it parses the module and every module_utils file it
# imports to find their imports (ansible.executor.module_common.ModuleDepFinder), once per module per run: about a
# tenth of a no-op site.yml's CPU, the same sources parsed again in every run. What each source imports depends on
# its text alone, so it is kept under the hash of its name and text and read back; the payload is the same zip.
class _DepsOf(object):
    """What ModuleDepFinder found, read back; the parsed tree (the module's own metadata) only when asked for."""

    def __init__(self, found, module_fqn, module_data, compile_tree):
        self.submodules, self.optional_imports = found
        self.embeds = set()
        self._tree = lambda: compile_tree(module_fqn, module_data)

    @property
    def tree(self):
        return self._tree()


def _cache_dep_finder(finder_class, compile_tree):
    """ModuleDepFinder(...) answers from the cache when it has the source (``__new__`` returns what was kept, and
    Python then skips ``__init__``), and keeps what a real finder found."""
    directory = os.path.join(_CACHE, "module-deps")

    def path_of(module_fqn, module_data, is_pkg_init):
        text = module_data if isinstance(module_data, bytes) else str(module_data).encode("utf-8", "surrogateescape")
        key = hashlib.sha256(b"%s\0%d\0%s" % (module_fqn.encode(), bool(is_pkg_init), text)).hexdigest()
        return os.path.join(directory, key)

    def new(cls, module_fqn, module_data, is_pkg_init=False, *args, **kwargs):
        try:
            with open(path_of(module_fqn, module_data, is_pkg_init), "rb") as handle:
                return _DepsOf(marshal.loads(handle.read()), module_fqn, module_data, compile_tree)
        except (OSError, EOFError, ValueError, TypeError):
            return object.__new__(cls)

    init = finder_class.__init__

    def init_and_keep(self, module_fqn, module_data, is_pkg_init=False, *args, **kwargs):
        init(self, module_fqn, module_data, is_pkg_init, *args, **kwargs)
        if self.embeds:  # embedded resources are objects of their own: not kept
            return
        path = path_of(module_fqn, module_data, is_pkg_init)
        try:
            os.makedirs(directory, exist_ok=True)
            partial = "%s.%d" % (path, os.getpid())
            with open(partial, "wb") as handle:
                handle.write(marshal.dumps((set(self.submodules), set(self.optional_imports))))
            os.replace(partial, path)  # whole or not at all: other processes read the same file
        except OSError:
            pass

    finder_class.__new__ = new
    finder_class.__init__ = init_and_keep


class _PatchModuleCommon(object):
    """Wraps ansible.executor.module_common's ModuleDepFinder once ansible imports it (never imported here first)."""

    name = "ansible.executor.module_common"

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        import importlib.util  # pylint: disable=import-outside-toplevel

        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            if hasattr(module, "ModuleDepFinder") and hasattr(module, "_compile_module_ast"):
                _cache_dep_finder(module.ModuleDepFinder, module._compile_module_ast)

        spec.loader.exec_module = exec_and_patch
        return spec


if _CACHE:
    sys.meta_path.insert(0, _PatchModuleCommon())
