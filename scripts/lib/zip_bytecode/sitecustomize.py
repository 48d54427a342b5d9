"""Caches for the local runs (tests and demo) only: the bytecode of code Python imports from zip files, and (below)
what each source a module's payload is built from imports, the module_utils each payload carries and the code each
Jinja template compiles to; and the hand-over of a module's Python to a warm one (warm_python.py).

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


def _keep(path, data):
    """Writes ``data`` to ``path`` whole or not at all (other processes read the same files); a cache that cannot be
    written is only slower."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = "%s.%d" % (path, os.getpid())
        with open(partial, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except OSError:
        pass


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
        _keep(path, marshal.dumps(code))
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
        _keep(path, marshal.dumps((set(self.submodules), set(self.optional_imports))))

    finder_class.__new__ = new
    finder_class.__init__ = init_and_keep


# The module_utils a module's payload carries are found by locating each import (the finder above) and written into
# the zip, once per module per run: a few seconds of every run's CPU for the same files. Which files go in depends on
# the module's text and theirs, so what was written is kept under the hash of the module's text and read back while
# every file it came from is unchanged; the payload is the same zip.
_ANSIBLE_INITS = ("ansible/__init__.py", "ansible/module_utils/__init__.py")  # generated from Ansible's version


def _as_bytes(data):
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _cache_module_utils(module_common):
    """recursive_finder(...) writes what it wrote last time for the same module when none of those files changed
    (not with Ansible's module debugger on), and keeps what a real search wrote."""
    import pickle  # pylint: disable=import-outside-toplevel

    directory = os.path.join(_CACHE, "module-utils")
    find = module_common.recursive_finder
    origin_of = module_common.Origin.get_tag

    def digest(data):
        return hashlib.sha256(data).hexdigest()

    def unchanged(entries):
        found = []
        for filename, source, content, sha in entries:
            if source is not None:
                try:
                    with open(source, "rb") as handle:
                        content = handle.read()
                except OSError:
                    return None
                if digest(content) != sha:
                    return None
            found.append((filename, content))
        return found

    def find_or_read(name, module_fqn, module_data, zf, date_time, extension_manager):
        if extension_manager.debugger_enabled:
            return find(name, module_fqn, module_data, zf, date_time, extension_manager)
        version = getattr(sys.modules.get("ansible.release"), "__version__", None)
        settings = (version, name, module_fqn, sorted(extension_manager.module_names), zf.compression)
        path = os.path.join(directory, digest(repr(settings).encode() + b"\0" + _as_bytes(module_data)))
        try:
            with open(path, "rb") as handle:
                metadata, entries = pickle.loads(handle.read())
            files = unchanged(entries)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError, ImportError):
            files = None
        if files is not None:
            for filename, content in files:
                zf.writestr(module_common._make_zinfo(filename, date_time, zf=zf), content)
            return metadata
        entries = []
        write = zf.writestr

        def record(zinfo, data, *args, **kwargs):
            source = getattr(origin_of(data), "path", None)
            content = _as_bytes(data)
            entries.append((zinfo.filename, source, None if source else content, digest(content)))
            return write(zinfo, data, *args, **kwargs)

        zf.writestr = record
        try:
            metadata = find(name, module_fqn, module_data, zf, date_time, extension_manager)
        finally:
            del zf.writestr
        # kept when every entry is a file or a package init Ansible generates (a redirect's shim depends on routing)
        if all(source or content == b"" or filename in _ANSIBLE_INITS for filename, source, content, _sha in entries):
            try:
                _keep(path, pickle.dumps((metadata, entries)))
            except (pickle.PicklingError, TypeError, AttributeError):
                pass
        return metadata

    module_common.recursive_finder = find_or_read


# Ansible compiles every template it renders (Jinja's Environment.compile: parse, generate Python, compile it) and
# keeps none: each task's worker process compiles its templates again, in every run - 8% of a no-op site.yml's
# controller and worker CPU. The Python code a template compiles to depends on its text and on the environment's
# settings alone (Ansible turns Jinja's constant folding off), so it is kept under their hash, as zipped code is.
_JINJA_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
)


def _qualified(thing):
    thing = getattr(thing, "__func__", thing)
    return "%s.%s" % (getattr(thing, "__module__", ""), getattr(thing, "__qualname__", repr(thing)))


def _jinja_key(environment, source, name, filename, defer_init):
    """What the code of ``source`` depends on: the versions, the environment's class and settings, and Ansible's two
    switches its code generator and lexer read (embedded templates, backslash escaping)."""
    versions = tuple(getattr(sys.modules.get(m), "__version__", None) for m in ("jinja2", "ansible.release"))
    bits = sys.modules.get("ansible._internal._templating._jinja_bits")
    ansible_switches = None
    if bits is not None:
        context = bits._TemplateCompileContext.current(optional=True)
        ansible_switches = (
            getattr(context, "escape_backslashes", None),
            getattr(bits._TemplateConfig, "allow_embedded_templates", None),
        )
    settings = (
        versions,
        _qualified(type(environment)),
        _qualified(environment.code_generator_class),
        _qualified(environment.context_class),
        tuple(getattr(environment, setting, None) for setting in _JINJA_SETTINGS),
        _qualified(environment.autoescape) if callable(environment.autoescape) else environment.autoescape,
        sorted(environment.extensions),
        _qualified(environment.finalize) if environment.finalize else None,
        ansible_switches,
        name,
        filename,
        defer_init,
    )
    text = str.encode(source, "utf-8", "surrogatepass")
    return hashlib.sha256(repr(settings).encode() + b"\0" + text).hexdigest()


def _cache_jinja_compile(environment_module):
    """Environment.compile answers from the cache for a template's text (not for an expression's parsed tree, nor for
    raw source, nor while Ansible's template debugging is on), and keeps what it compiled."""
    directory = os.path.join(_CACHE, "jinja", sys.implementation.cache_tag)
    environment_class = environment_module.Environment
    compile_template = environment_class.compile

    def compile_or_read(self, source, name=None, filename=None, raw=False, defer_init=False):
        if raw or not isinstance(source, str) or getattr(self, "_debuggable_template_source", False):
            return compile_template(self, source, name, filename, raw, defer_init)
        path = os.path.join(directory, _jinja_key(self, source, name, filename, defer_init))
        try:
            with open(path, "rb") as handle:
                return marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            pass
        code = compile_template(self, source, name, filename, raw, defer_init)
        _keep(path, marshal.dumps(code))
        return code

    # a frame Jinja leaves out of template tracebacks, as it does Environment.compile's own
    environment_class.compile = environment_module.internalcode(compile_or_read)


class _PatchOnImport(object):
    """Wraps what a module defines once it is imported (never imported here first): ansible.executor.module_common's
    ModuleDepFinder and jinja2.environment's Environment.compile."""

    patches = {
        "ansible.executor.module_common": lambda module: (
            _cache_dep_finder(module.ModuleDepFinder, module._compile_module_ast),
            _cache_module_utils(module),
        ),
        "jinja2.environment": _cache_jinja_compile,
    }

    def __init__(self):
        self.waiting = set(self.patches)

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.waiting:
            return None
        self.waiting.discard(fullname)
        import importlib.util  # pylint: disable=import-outside-toplevel

        sys.meta_path.remove(self)  # find the module's own spec, then wait for the next one
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            if self.waiting:
                sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            try:
                self.patches[fullname](module)
            except AttributeError:  # another version of it: left as it is
                pass

        spec.loader.exec_module = exec_and_patch
        return spec


if _CACHE:
    sys.meta_path.insert(0, _PatchOnImport())
