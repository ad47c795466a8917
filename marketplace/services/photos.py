"""Photo uploads, checked by content rather than by name: Pillow must recognise a real JPEG,
PNG or WebP within the byte and pixel limits. The stored image is re-encoded (which drops
EXIF and any payload appended to the file), turned upright, bounded in size, with a thumbnail."""

from __future__ import annotations

import io
import uuid
import warnings
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ConflictError, DomainError, NotFoundError, TooLargeError, UnprocessableError
from marketplace.models import Photo, User
from marketplace.services.machines import _locked_machine_for
from marketplace.services.outbox import outbox_enqueue

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


def _invalid(message: str, code: str) -> DomainError:
    """A file that arrived whole but is not a photo this service takes (not an image, too many
    pixels): well formed as a request, refused for its content."""
    return UnprocessableError(message, fields={"image": [message]}, code=code)


def _read_checked_image(upload: IO[bytes], size: int) -> Image.Image:
    too_large = f"The file is larger than {settings.PHOTO_MAX_BYTES // (1024 * 1024)} MB."
    if size > settings.PHOTO_MAX_BYTES:
        raise TooLargeError(too_large, fields={"image": [too_large]}, code="file_too_large")
    payload = upload.read(settings.PHOTO_MAX_BYTES + 1)
    if len(payload) > settings.PHOTO_MAX_BYTES:
        raise TooLargeError(too_large, fields={"image": [too_large]}, code="file_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(payload))
            if probe.format not in ACCEPTED_FORMATS:
                raise _invalid("Only JPEG, PNG and WebP images are accepted.", "unsupported_image")
            if probe.width * probe.height > settings.PHOTO_MAX_PIXELS:
                raise _invalid("The image has too many pixels.", "image_too_large")
            probe.verify()  # structural check; the image must be reopened after it
            image = Image.open(io.BytesIO(payload))
            # a JPEG decodes at a reduced scale when it is far larger than what is kept: a
            # fraction of the memory (a PNG or WebP has no such mode, and is bounded by pixels)
            image.draft("RGB", (settings.PHOTO_MAX_EDGE, settings.PHOTO_MAX_EDGE))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _invalid("The image has too many pixels.", "image_too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise _invalid("The file is not a readable JPEG, PNG or WebP image.", "not_an_image") from None
    return image


def _encode(image: Image.Image, max_edge: int) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue(), copy.size


@transaction.atomic
def photo_add(*, actor: User, machine_id: int, upload: IO[bytes], size: int) -> Photo:
    """Append a photo to the listing (the first one is the cover). Holds the listing's row
    lock while choosing the position, so concurrent uploads get distinct positions."""
    machine = _locked_machine_for(actor, machine_id)
    count = machine.photos.count()
    if count >= settings.PHOTOS_PER_MACHINE:
        raise ConflictError(
            f"A listing has at most {settings.PHOTOS_PER_MACHINE} photos.", code="too_many_photos"
        )
    image = _read_checked_image(upload, size)
    upright = ImageOps.exif_transpose(image).convert("RGB")
    name = uuid.uuid4().hex
    position = (machine.photos.aggregate(p=Max("position"))["p"] or 0) + 1 if count else 0
    full, (width, height) = _encode(upright, settings.PHOTO_MAX_EDGE)
    thumbnail, _ = _encode(upright, settings.PHOTO_THUMBNAIL_EDGE)
    photo = Photo(machine=machine, position=position, width=width, height=height)
    photo.image.save(f"{name}.jpg", ContentFile(full), save=False)
    photo.thumbnail.save(f"{name}-thumb.jpg", ContentFile(thumbnail), save=False)
    photo.save()
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
    return photo


@transaction.atomic
def photo_delete(*, actor: User, machine_id: int, photo_id: int) -> None:
    machine = _locked_machine_for(actor, machine_id)
    photo = machine.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFoundError("No such photo on this listing.")
    photo.delete()
    transaction.on_commit(lambda: (photo.image.delete(save=False), photo.thumbnail.delete(save=False)))
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])


@transaction.atomic
def photos_reorder(*, actor: User, machine_id: int, photo_ids: list[int]) -> None:
    """Put the listing's photos in this order; the first is the cover. Every photo of the
    listing, each once. Holds the listing's row lock, as adding and deleting do."""
    machine = _locked_machine_for(actor, machine_id)
    current = list(machine.photos.values_list("pk", flat=True))
    if sorted(photo_ids) != sorted(current):
        raise UnprocessableError(
            "Give every photo of this listing once, in the new order.",
            fields={"photos": ["Give every photo of this listing once, in the new order."]},
            code="invalid_order",
        )
    for position, photo_id in enumerate(photo_ids):
        Photo.objects.filter(pk=photo_id).update(position=position)
    outbox_enqueue(entity="machine", entity_ids=[machine.pk])
