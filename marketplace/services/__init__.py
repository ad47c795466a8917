from marketplace.services.enquiries import enquiry_mark_read, enquiry_reply, enquiry_send
from marketplace.services.machines import (
    machine_create,
    machine_enter_auction,
    machine_for_auction,
    machine_leave_auction,
    machine_mark_sold,
    machine_publish,
    machine_unpublish,
    machine_update,
    machine_view_record,
)
from marketplace.services.outbox import outbox_enqueue
from marketplace.services.photos import photo_add, photo_delete, photos_reorder
from marketplace.services.users import user_register
from marketplace.services.watchlist import watch_add, watch_remove

__all__ = [
    "enquiry_mark_read",
    "enquiry_reply",
    "enquiry_send",
    "machine_create",
    "machine_enter_auction",
    "machine_for_auction",
    "machine_leave_auction",
    "machine_mark_sold",
    "machine_publish",
    "machine_unpublish",
    "machine_update",
    "machine_view_record",
    "outbox_enqueue",
    "photo_add",
    "photo_delete",
    "photos_reorder",
    "user_register",
    "watch_add",
    "watch_remove",
]
