"""Compilation settings shared by every compiled mechanism, and one memory hint.

The mechanisms are small Numba functions. Each one is compiled once per machine and
kept in an on-disk cache, so sweeps and the dashboard do not pay compilation in every
worker process.

Numba keys a cached function on its own source file only: a change to a helper in
another file would leave stale machine code behind. The cache directory is therefore
named after a hash of the source of every compiled module, so an edit to any of them
starts a fresh cache (and only the few most recent caches are kept). It lives in the
user's cache folder or, where home is read-only (a container, a system install), in a
folder of the user's own in the temporary directory; with neither writable the
mechanisms are compiled in every process, as one line on stderr says. Set
``NUMBA_CACHE_DIR`` to choose the folder yourself: the caches are kept inside it, each
named for its source in the same way, so that pointing two versions of the code at one
folder never runs one version's machine code for the other's.

``prefetch`` lets a compiled loop ask for memory it will read a few steps later: loops
over pairs drawn at random from the trust matrix otherwise wait on each pair in turn.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numba
from numba.extending import intrinsic

from collabsim.caches import cache_folders

#: Modules using @jit (``state.py`` declares the records of the compiled structs).
_COMPILED = ("jit.py", "metrics.py", "unwatched.py", "docking.py", "state.py", "mechanisms/*.py")
_CACHES_KEPT = 4


def _source_hash() -> str:
    digest = hashlib.sha1()
    package = Path(__file__).parent
    for path in sorted(p for pattern in _COMPILED for p in package.glob(pattern)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the most recently used caches (another source version's)."""
    caches = sorted(
        (p for p in folder.glob("numba-*") if p.is_dir() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in caches[_CACHES_KEPT - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _choose_cache_dir() -> bool:
    """Point Numba's on-disk cache at a writable folder; False if there is none.

    The folder is ``numba-<Numba version>-<source hash>`` in ``NUMBA_CACHE_DIR`` if it is
    set, else in the first writable of ``cache_folders()``.
    """
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    name = f"numba-{numba.__version__}-{_source_hash()}"
    for base in [Path(chosen)] if chosen else cache_folders():
        target = base / name
        try:
            target.mkdir(parents=True, exist_ok=True)
            target.touch()  # mark as recently used
            tempfile.TemporaryFile(dir=target).close()  # Numba will write here
            _prune(target.parent, target)
        except OSError:
            continue
        numba.config.CACHE_DIR = str(target)
        return True
    where = (
        f"NUMBA_CACHE_DIR ({chosen}) is not a writable folder"
        if chosen
        else "home and temporary directory are read-only; set NUMBA_CACHE_DIR to one"
    )
    print(
        f"collabsim: no writable folder for the compiled-code cache ({where}): compiling in "
        "every process",
        file=sys.stderr,
    )
    return False


_CACHED = _choose_cache_dir()


def jit(function):
    """Compile ``function`` in nopython mode with the shared settings, cached if possible."""
    return numba.njit(cache=_CACHED, error_model="numpy")(function)


def struct_of(record_class, module: str):
    """A compiled struct type, its proxy class and a constructor, for ``record_class``.

    Passing a NamedTuple of arrays to a compiled function unboxes every array on every
    call (a few microseconds for two dozen arrays); a struct reference is one pointer.
    The proxy holds the very same arrays, so both views stay in step. Build references
    with the constructor, ``new(*record)``: it is compiled once and kept in the on-disk
    cache, where the proxy's own constructor is compiled afresh in every process (about
    3 s for the model's five structs, most of a worker's start-up beyond its imports).

    Bind the results in ``module`` under the names they carry, ``<Record>Struct`` and
    ``<Record>Ref``: the on-disk cache finds the type again by that name in a new process
    (under another name every process would compile anew).
    """
    from numba.core import types
    from numba.experimental import structref

    type_name = f"{record_class.__name__}Struct"
    type_class = type(
        type_name,
        (types.StructRef,),
        {
            "preprocess_fields": lambda self, fields: tuple(
                (name, types.unliteral(kind)) for name, kind in fields
            ),
            "__module__": module,
            "__qualname__": type_name,
        },
    )
    structref.register(type_class)
    proxy_name = f"{record_class.__name__}Ref"
    proxy = type(
        proxy_name,
        (structref.StructRefProxy,),
        {
            "__new__": lambda cls, *arrays: structref.StructRefProxy.__new__(cls, *arrays),
            "__module__": module,
            "__qualname__": proxy_name,
        },
    )
    structref.define_proxy(proxy, type_class, list(record_class._fields))
    return type_class, proxy, jit(_constructor(proxy, record_class, module))


def _constructor(proxy, record_class, module: str):
    """``new_<Record>(field, ...)``: builds the struct, taking one parameter per field.

    One parameter per field rather than ``*arrays``: Numba types a call's arguments one by
    one in C, but a packed tuple holding anything other than arrays and numbers (a struct
    reference, a NamedTuple) is typed as a whole in Python, 0.2 ms for the world's
    twenty-seven fields against 0.01 ms. Its name is its own, under which the cache keeps
    each struct's constructor apart; its code is this file's, where the cache looks.
    """
    name = f"new_{record_class.__name__}"
    fields = ", ".join(record_class._fields)
    namespace = {"proxy": proxy}
    source = f"def {name}({fields}):\n    return proxy({fields})\n"
    exec(compile(source, __file__, "exec"), namespace)
    build = namespace[name]
    build.__module__ = module
    return build


#: How many items ahead a loop over pairs drawn at random asks for their trust (``prefetch``):
#: far enough for the loads to arrive, near enough that they are still in cache when used.
PREFETCH_AHEAD = 8


def _prefetch_codegen(context, builder, signature, args):
    from llvmlite import ir
    from numba.core import cgutils

    array_type = signature.args[0]
    array = context.make_array(array_type)(context, builder, args[0])
    address = cgutils.get_item_pointer(
        context, builder, array_type, array, list(args[1:]), wraparound=False
    )
    byte_pointer = ir.IntType(8).as_pointer()
    word = ir.IntType(32)
    # the intrinsic is named after its pointer type, typed (i8*) or opaque in newer LLVM IR
    name = "llvm.prefetch.p0" if getattr(byte_pointer, "is_opaque", False) else "llvm.prefetch.p0i8"
    function = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, word, word, word]), name
    )
    # read (0), keep in all cache levels (3), data (1)
    builder.call(
        function,
        [builder.bitcast(address, byte_pointer), word(0), word(3), word(1)],
    )
    return context.get_dummy_value()


@intrinsic
def prefetch(typing_context, array, row, column):
    """Ask the processor to start loading ``array[row, column]`` into cache (no bounds check).

    A hint that changes no value. Compiled loops over pairs drawn at random from the trust
    matrix (8 MB at 1,500 people) wait on memory at each pair; asking for the pair a few
    steps ahead lets those loads overlap.
    """
    from numba.core import types

    return types.void(array, row, column), _prefetch_codegen
