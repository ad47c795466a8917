from marketplace.services.machines import (
    machine_create,
    machine_enter_auction,
    machine_for_auction,
    machine_leave_auction,
    machine_mark_sold,
    machine_publish,
    machine_unpublish,
    machine_update,
)
from marketplace.services.outbox import outbox_enqueue
from marketplace.services.photos import photo_add, photo_delete
from marketplace.services.users import user_register
from marketplace.services.watchlist import watch_add, watch_remove

__all__ = [
    "machine_create",
    "machine_enter_auction",
    "machine_for_auction",
    "machine_leave_auction",
    "machine_mark_sold",
    "machine_publish",
    "machine_unpublish",
    "machine_update",
    "outbox_enqueue",
    "photo_add",
    "photo_delete",
    "user_register",
    "watch_add",
    "watch_remove",
]
