"""The stored form of a file's results: typed objects stay stored until read."""

from __future__ import annotations

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Service
from rolloutplan.tally import ObjectList, Tally, freeze, thaw

WEB = Service(ObjectRef("Service", "default", "web"), "ClusterIP", (("app", "web"),), ())
API = Service(ObjectRef("Service", "default", "api"), "ClusterIP", (("app", "api"),), ())


def test_objects_read_back_in_order_whether_stored_or_not() -> None:
    merged = ObjectList([WEB])
    merged.extend(thaw(freeze(Tally(objects=ObjectList([API, WEB]))), None).objects)
    merged.append(API)
    assert list(merged) == [WEB, API, WEB, API]
    assert len(merged) == 4 and merged[1] == API
    assert merged == ObjectList([WEB, API, WEB, API])


def test_extending_does_not_share_the_other_list() -> None:
    source = ObjectList([WEB])
    merged = ObjectList()
    merged.extend(source)
    merged.append(API)
    assert list(source) == [WEB]
    assert list(merged) == [WEB, API]
