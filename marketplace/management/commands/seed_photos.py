"""`manage.py seed_photos [--listings N] [--seed S]`: photos for the demo catalogue's newest
listings, drawn locally (marketplace/catalogue/pictures.py), added through the photo service
as a seller's uploads are (checked, resized, thumbnailed, queued for the index)."""

from __future__ import annotations

import io
import random
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from marketplace.catalogue.pictures import demo_photo
from marketplace.models import Machine, MachineStatus
from marketplace.services import photo_add


class Command(BaseCommand):
    help = "Add drawn photos (1 to 4 each) to the newest published listings that have none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--listings", type=int, default=80, help="How many listings get photos (default 80)."
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, listings: int, seed: int, verbosity: int, **options: Any) -> None:
        if not 0 <= listings <= 10_000:
            raise CommandError("--listings must be between 0 and 10,000.")
        machines = list(
            Machine.objects.filter(status=MachineStatus.PUBLISHED, photos__isnull=True)
            .select_related("seller", "model__category")
            .order_by("-published_at", "-id")[:listings]
        )
        rng = random.Random(seed)
        added = 0
        with tqdm(total=len(machines), unit=" listings", disable=verbosity < 1, file=sys.stderr) as bar:
            for machine in machines:
                root = machine.model.category.path.split("/")[0]
                for _ in range(rng.randint(1, 4)):
                    picture = demo_photo(root, rng.randrange(2**32))
                    photo_add(
                        actor=machine.seller,
                        machine_id=machine.pk,
                        upload=io.BytesIO(picture),
                        size=len(picture),
                    )
                    added += 1
                bar.update()
        self.stdout.write(f"Photos: {added:,} on {len(machines):,} listings")
