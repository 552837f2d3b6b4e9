"""How the per-article records travel: pickled to and from pool workers and the article cache.

A frozen, slotted dataclass pickles by default as a state dict restored field by field through
`object.__setattr__`; an analysed article is hundreds of such records (sentences, mentions), so
at 10,000 articles that was seconds of every build. Pickled as its field values, a record is
rebuilt by one call to a function made for its class, which sets its slots directly: 3.5x faster
to pickle, 2.7x to unpickle. (Through the dataclass constructor it was 1.5x: a frozen dataclass's
`__init__` sets each field with `object.__setattr__`, which was most of the time of reading the
article cache.) The same decorator gives the record a constructor that sets its slots the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import MISSING, fields
from operator import attrgetter
from typing import TypeVar, overload

T = TypeVar("T")


def pickled_as_tuple(cls: type[T]) -> type[T]:
    """Class decorator, after @dataclass: every field must be an __init__ argument."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if not all(f.init for f in fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: a field outside __init__ cannot be pickled as a tuple")
    values = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    rebuild = _rebuilder(cls, names)

    def __reduce__(self: T) -> tuple[Callable[..., T], tuple[object, ...]]:
        return rebuild, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    cls._rebuild = staticmethod(rebuild)  # type: ignore[attr-defined]
    if _plain_fields(cls):
        cls.__init__ = _initialiser(cls)  # type: ignore[misc]
    return cls


def _plain_fields(cls: type) -> bool:
    """Every field a plain value or default, and nothing to run after them: what `_initialiser`
    can make."""
    return not hasattr(cls, "__post_init__") and all(
        f.default_factory is MISSING for f in fields(cls))  # type: ignore[arg-type]


def _initialiser(cls: type[T]) -> Callable[..., None]:
    """The dataclass's `__init__` (same parameters, names and defaults), its slots set through their
    descriptors instead of `object.__setattr__` (which a frozen dataclass's own `__init__` calls per
    field): an entity mention 0.56 us instead of 1.05 us. The analysis makes about 130 records an
    article, and the corpus-wide steps a passage per sentence of the corpus (316,000 at 10,000
    articles) on every build; each was made through `_rebuild` for this, call site by call site."""
    found = fields(cls)  # type: ignore[arg-type]
    scope: dict[str, object] = {f"_set_{i}": getattr(cls, f.name).__set__ for i, f in enumerate(found)}
    scope.update({f"_default_{i}": f.default for i, f in enumerate(found) if f.default is not MISSING})
    parameters = ", ".join(f.name + (f"=_default_{i}" if f.default is not MISSING else "")
                           for i, f in enumerate(found))
    body = "".join(f"    _set_{i}(self, {f.name})\n" for i, f in enumerate(found))
    exec(f"def __init__(self, {parameters}):\n{body}", scope)  # noqa: S102
    init = scope["__init__"]
    init.__module__, init.__qualname__ = cls.__module__, f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    return init  # type: ignore[return-value]


def _rebuilder(cls: type[T], names: list[str]) -> Callable[..., T]:
    """`rebuild(*values)`: a new instance with its slot descriptors set one by one, in generated
    code (a loop costs more than it saves). Pickle finds it by name, as `Class._rebuild`."""
    setters = {f"_set_{i}": getattr(cls, name).__set__ for i, name in enumerate(names)}
    arguments = ", ".join(f"_{i}" for i in range(len(names)))
    body = "".join(f"    _set_{i}(record, _{i})\n" for i in range(len(names)))
    scope = {"_new": object.__new__, "_cls": cls, **setters}
    exec(f"def rebuild({arguments}):\n    record = _new(_cls)\n{body}    return record\n", scope)  # noqa: S102
    rebuild = scope["rebuild"]
    rebuild.__module__, rebuild.__qualname__ = cls.__module__, f"{cls.__qualname__}._rebuild"
    return rebuild


@overload
def shared_string(text: str) -> str: ...
@overload
def shared_string(text: None) -> None: ...
def shared_string(text: str | None) -> str | None:
    """One string object for equal values made in one process (`sys.intern`). A name, an entity's
    'how' or a speaker recurs in many mentions of an article and of its neighbours in a cache pack;
    pickle writes an object once per pack and unpickling makes it once, so the corpus held in
    memory keeps one copy, not one per mention (at 10,000 articles, 285,000 strings in 2,560
    articles' mentions were 48,000 values)."""
    return sys.intern(text) if text else text
