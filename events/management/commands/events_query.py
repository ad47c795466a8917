"""Ad-hoc questions to the events: `manage.py events_query "SELECT … FROM events.buyer_placed_bid"`.

Read-only (the transaction is READ ONLY), bounded in time and rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction

from events.sql import create_views


class Command(BaseCommand):
    help = "Run one read-only SQL query over the events' views (schema `events`) and print the rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sql", help='For example: "SELECT count(*) FROM events.buyer_searched_machines"')
        parser.add_argument("--max-rows", type=int, default=1000)
        parser.add_argument("--timeout-seconds", type=int, default=30)

    def handle(self, *args: Any, sql: str, max_rows: int, timeout_seconds: int, **options: Any) -> None:
        if not 1 <= max_rows <= 100_000 or not 1 <= timeout_seconds <= 600:
            raise CommandError("--max-rows is 1-100000 and --timeout-seconds 1-600")
        create_views()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{timeout_seconds}s"])
                cursor.execute(sql)
                if cursor.description is None:
                    raise CommandError("the statement returned no rows (only queries are run)")
                names = [column.name for column in cursor.description]
                rows = cursor.fetchmany(max_rows + 1)
        except DatabaseError as error:
            raise CommandError(" ".join(str(error).split())) from error
        self._table(names, rows[:max_rows])
        if len(rows) > max_rows:
            self.stdout.write(f"(first {max_rows} rows; raise --max-rows for more)")

    def _table(self, names: list[str], rows: list[tuple[Any, ...]]) -> None:
        cells = [names, *([("" if value is None else str(value)) for value in row] for row in rows)]
        widths = [min(60, max(len(row[i]) for row in cells)) for i in range(len(names))]
        for number, row in enumerate(cells):
            self.stdout.write(
                "  ".join(value[:60].ljust(width) for value, width in zip(row, widths, strict=True))
            )
            if number == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
