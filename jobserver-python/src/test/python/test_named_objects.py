"""Named objects of a Python context (sparkjobserver.named_objects)."""

import threading
import time

import pytest

from sparkjobserver.api import NamedObject
from sparkjobserver.named_objects import ContextNamedObjects


class Cached:
    """What the named objects ask of a DataFrame or RDD: persist, count, unpersist."""

    def __init__(self):
        self.calls = []

    def persist(self, level=None):
        self.calls.append(("persist", level))
        return self

    def count(self):
        self.calls.append(("count",))
        return 3

    def unpersist(self, blocking=False):
        self.calls.append(("unpersist", blocking))


def test_an_object_is_made_once_and_shared_by_name():
    objects = ContextNamedObjects()
    made = []

    def make():
        made.append(1)
        return NamedObject(Cached(), True, "MEMORY_ONLY")

    first = objects.get_or_else_create("numbers", make)
    second = objects.get_or_else_create("numbers", make)
    assert first is second
    assert objects.get("numbers") is first
    assert len(made) == 1
    assert first.obj.calls == [("persist", "MEMORY_ONLY"), ("count",)]
    assert objects.get_names() == ["numbers"]
    assert objects.get("other") is None


def test_a_plain_object_is_kept_at_the_default_level_without_computing_it():
    objects = ContextNamedObjects()
    cached = Cached()
    named = objects.get_or_else_create("df", lambda: cached)
    assert named.obj is cached
    assert cached.calls == [("persist", None)]
    # anything else is simply kept
    assert objects.get_or_else_create("answer", lambda: 42).obj == 42


def test_forget_keeps_the_object_cached_destroy_unpersists_it():
    objects = ContextNamedObjects()
    kept = objects.get_or_else_create("a", Cached).obj
    objects.forget("a")
    assert objects.get("a") is None
    assert ("unpersist", False) not in kept.calls
    gone = objects.get_or_else_create("b", Cached).obj
    objects.destroy("b")
    assert objects.get_names() == []
    assert gone.calls[-1] == ("unpersist", False)
    objects.destroy("unknown")  # nothing to do


def test_update_replaces_and_unpersists_the_old_object():
    objects = ContextNamedObjects()
    old = objects.get_or_else_create("x", Cached).obj
    new = objects.update("x", Cached).obj
    assert new is not old
    assert old.calls[-1] == ("unpersist", False)
    assert objects.get("x").obj is new


def test_a_failed_creation_leaves_the_name_free():
    objects = ContextNamedObjects()
    with pytest.raises(ValueError):
        objects.get_or_else_create("x", lambda: (_ for _ in ()).throw(ValueError("no")))
    assert objects.get_or_else_create("x", lambda: 1).obj == 1


def test_concurrent_jobs_wait_for_the_one_creating_the_object():
    objects = ContextNamedObjects()
    started = threading.Event()
    results = []

    def slow():
        started.set()
        time.sleep(0.2)
        return "made once"

    def job():
        results.append(objects.get_or_else_create("shared", slow).obj)

    first = threading.Thread(target=job)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=job) for _ in range(3)]
    for t in others:
        t.start()
    for t in [first] + others:
        t.join(5)
    assert results == ["made once"] * 4


def test_waiting_longer_than_the_creation_timeout_raises():
    objects = ContextNamedObjects(creation_timeout=0.1)
    release = threading.Event()
    started = threading.Event()

    def blocked():
        started.set()
        release.wait(5)
        return 1

    creator = threading.Thread(target=lambda: objects.get_or_else_create("x", blocked))
    creator.start()
    started.wait(5)
    with pytest.raises(TimeoutError, match="another job has been creating it"):
        objects.get_or_else_create("x", lambda: 2)
    release.set()
    creator.join(5)
    assert objects.get("x").obj == 1
