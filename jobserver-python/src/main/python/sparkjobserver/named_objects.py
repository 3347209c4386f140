"""
Named objects for Python jobs: DataFrames, RDDs (or any object) that one job of a context keeps
under a name and later jobs of the same context use, as ``runtime.namedObjects``. The original only
sketched this interface (its Python jobs got None); here it is implemented by the context's Python
process, which lives as long as the context: a name outlives the jobs, not the process (a Python
process that dies takes its objects with it).
"""

import threading
import time

from sparkjobserver.api import NamedObject, NamedObjects


class ContextNamedObjects(NamedObjects):
    """The named objects of one context's Python process; safe for jobs running at once."""

    def __init__(self, creation_timeout=60.0):
        """
        :param creation_timeout: how long, in seconds, a job waits for another job that is creating
            the object of the same name, before it raises TimeoutError
        """
        NamedObjects.__init__(self)
        self._creation_timeout = creation_timeout
        self._objects = {}
        self._creating = set()
        self._changed = threading.Condition()

    def get(self, name):
        with self._changed:
            return self._objects.get(name)

    def get_or_else_create(self, name, obj_gen):
        """The object of that name; when there is none, ``obj_gen()`` makes it, once, whoever asks.

        ``obj_gen`` returns a NamedObject, or the object itself (then kept as Spark's default storage
        level, computed when first used). A NamedObject's object is persisted at its ``storage_level``
        (if it has ``persist``) and counted at once when ``forceComputation`` is true.
        """
        deadline = time.monotonic() + self._creation_timeout
        with self._changed:
            while name in self._creating:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        "named object %r: another job has been creating it for more than %s s"
                        % (name, self._creation_timeout))
                self._changed.wait(left)
            existing = self._objects.get(name)
            if existing is not None:
                return existing
            self._creating.add(name)
        try:
            created = _persisted(obj_gen())
        except BaseException:  # noqa: B902 - the name is free again for whoever tries next
            with self._changed:
                self._creating.discard(name)
                self._changed.notify_all()
            raise
        with self._changed:
            self._objects[name] = created
            self._creating.discard(name)
            self._changed.notify_all()
        return created

    def update(self, name, obj_gen):
        """Replaces the object of that name with what ``obj_gen()`` makes; the old one is unpersisted."""
        self.destroy(name)
        return self.get_or_else_create(name, obj_gen)

    def forget(self, name):
        with self._changed:
            self._objects.pop(name, None)

    def destroy(self, name):
        with self._changed:
            named = self._objects.pop(name, None)
        if named is not None:
            _unpersist(named.obj)

    def get_names(self):
        with self._changed:
            return list(self._objects)


def _persisted(named):
    if not isinstance(named, NamedObject):
        named = NamedObject(named, False, None)
    obj = named.obj
    if callable(getattr(obj, "persist", None)):
        if named.storage_level is not None:
            obj.persist(named.storage_level)
        else:
            obj.persist()
    if named.forceComputation and callable(getattr(obj, "count", None)):
        obj.count()
    return named


def _unpersist(obj):
    unpersist = getattr(obj, "unpersist", None)
    if callable(unpersist):
        try:
            unpersist(blocking=False)
        except TypeError:  # a broadcast variable, or another object without the keyword
            unpersist()
