"""A unit sees its own items, the list office sees its list, a neighbour sees nothing."""

import pytest

from qingdan.core.errors import NotFound
from qingdan.dockets.selectors import (
    ItemFilters,
    docket_counts,
    docket_counts_by_docket,
    docket_queryset_for_user,
    item_get_for_user,
    item_queryset_for_user,
    items_filter,
    public_items,
)
from qingdan.dockets.services import item_dispatch

pytestmark = pytest.mark.django_db


def test_a_unit_cannot_see_another_units_items(make_item, tree, xh_handler, bj_handler, hz_supervisor):
    xh_item = make_item()
    bj_item = make_item(title="滨江区事项", lead_unit=tree["330108"])
    assert set(item_queryset_for_user(xh_handler)) == {xh_item}
    assert set(item_queryset_for_user(bj_handler)) == {bj_item}
    assert set(item_queryset_for_user(hz_supervisor)) == {xh_item, bj_item}
    with pytest.raises(NotFound):
        item_get_for_user(xh_handler, pk=bj_item.pk)
    assert list(docket_queryset_for_user(xh_handler)) == [xh_item.docket]


def test_co_operating_units_see_the_item(make_item, tree, bj_handler):
    item = make_item(co_units=[tree["330108-GA"]])
    assert list(item_queryset_for_user(bj_handler)) == [item]


def test_filters_and_chinese_search(make_item, tree, hz_supervisor, hz_operator):
    pipes = make_item(title="留下街道污水管网改造", category="城建")
    noise = make_item(title="夜间施工噪音扰民", lead_unit=tree["330108"], category="环保")
    item_dispatch(actor=hz_operator, item=noise)
    seen = item_queryset_for_user(hz_supervisor)
    assert list(items_filter(seen, ItemFilters(q="污水管网"))) == [pipes]
    assert list(items_filter(seen, ItemFilters(q="施工噪音"))) == [noise]
    assert list(items_filter(seen, ItemFilters(q="噪音 污水"))) == []
    assert list(items_filter(seen, ItemFilters(status="dispatched"))) == [noise]
    assert list(items_filter(seen, ItemFilters(unit_path=tree["330106"].path))) == [pipes]
    assert list(items_filter(seen, ItemFilters(category="环保"))) == [noise]


def test_counts_keep_stage_results_apart(make_item):
    from qingdan.dockets.models import Item

    items = [make_item(title=f"事项{i}") for i in range(5)]
    Item.objects.filter(pk__in=[items[0].pk, items[1].pk]).update(status="closed")
    Item.objects.filter(pk=items[2].pk).update(status="stage_result")
    counts = docket_counts(Item.objects.all())
    assert counts.as_dict() == {"listed": 5, "closed": 2, "stage_results": 1, "open": 3, "overdue": 0,
                                "sub_items": {"listed": 0, "closed": 0, "stage_results": 0, "open": 0, "overdue": 0}}


def test_counts_of_many_lists_in_one_query(make_item, docket, hz_supervisor, django_assert_num_queries):
    from qingdan.dockets.models import Item
    from qingdan.dockets.services import docket_create

    other = docket_create(actor=hz_supervisor, name="另一张清单", owner_unit=docket.owner_unit, source="public")
    empty = docket_create(actor=hz_supervisor, name="空清单", owner_unit=docket.owner_unit, source="public")
    items = [make_item(title=f"事项{i}") for i in range(3)] + [make_item(docket=other, title="别的事项")]
    Item.objects.filter(pk=items[0].pk).update(status="closed")
    with django_assert_num_queries(1):
        counts = docket_counts_by_docket(Item.objects.all(), [docket, other, empty])
    for each in (docket, other, empty):
        assert counts[each.pk] == docket_counts(Item.objects.filter(docket=each))
    assert counts[docket.pk].closed == 1 and counts[other.pk].listed == 1 and counts[empty.pk].listed == 0


def test_only_published_items_of_published_dockets_are_public(make_item, docket, hz_supervisor):
    from qingdan.dockets.services import docket_publish

    shown = make_item(published=True)
    make_item(title="内部事项")
    assert list(public_items()) == []  # the docket itself is not published yet
    docket_publish(actor=hz_supervisor, docket=docket, published=True)
    assert list(public_items()) == [shown]


def test_the_units_queue_holds_only_what_was_dispatched_to_it(make_item, hz_operator, xh_handler):
    from qingdan.dockets.selectors import unit_queue
    from qingdan.dockets.services import item_return

    make_item(title="还在列单")
    sent = item_dispatch(actor=hz_operator, item=make_item(title="已交办"))
    back = item_return(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item(title="已退回")),
                       reason="不属于本单位")
    assert back.status == "returned"
    assert list(unit_queue(xh_handler)) == [sent]
