import django.db.models.functions.datetime
from django.db import migrations, models

EVENT_TABLE = """
CREATE TABLE events_event (
    event_id uuid NOT NULL,
    event_time timestamptz NOT NULL,
    name text NOT NULL,
    version smallint NOT NULL,
    actor_user_id bigint,
    visitor_id text,
    session_id text,
    payload jsonb NOT NULL,
    sunk_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_time, event_id)
) PARTITION BY RANGE (event_time);
CREATE INDEX events_event_name_time ON events_event (name, event_time);
CREATE INDEX events_event_machine ON events_event ((payload->>'machine_id'), event_time)
    WHERE payload ? 'machine_id';
CREATE SCHEMA IF NOT EXISTS events;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="EventOutbox",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("event", models.JSONField()),
                ("created_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
            options={"db_table": "events_outbox"},
        ),
        migrations.RunSQL(EVENT_TABLE, "DROP TABLE events_event CASCADE; DROP SCHEMA IF EXISTS events CASCADE;"),
    ]
