"""The committed event catalogue (docs/events.md, docs/asyncapi/) matches the code."""

from shared.event_catalog import rendered


def test_the_event_catalogue_is_up_to_date():
    stale = [str(path) for path, text in rendered().items() if not path.exists() or path.read_text() != text]
    assert stale == [], "run: python -m shared.event_catalog"
