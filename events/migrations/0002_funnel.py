from django.db import migrations

FUNNEL = """
-- who a visitor turned out to be: the first user seen with that visitor cookie
CREATE TABLE events_visitor_user (visitor_id text PRIMARY KEY, user_id bigint NOT NULL);
-- per day and person, the funnel's stages reached that day (bits: searched 1, viewed 2,
-- watched 4, bid 8, won 16); a person is a user's id, or a visitor's negative number
CREATE TABLE events_funnel_day (
    day date NOT NULL,
    person bigint NOT NULL,
    stages smallint NOT NULL,
    PRIMARY KEY (day, person)
);
CREATE FUNCTION events_visitor_person(visitor text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT -1 - ('x' || substr(md5(visitor), 1, 15))::bit(60)::bigint $$;
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [
        migrations.RunSQL(
            FUNNEL,
            "DROP TABLE events_funnel_day; DROP TABLE events_visitor_user; DROP FUNCTION events_visitor_person(text);",
        ),
    ]
