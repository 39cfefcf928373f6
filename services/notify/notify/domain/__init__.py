"""The notify domain (notifications and follow-up): plain Python on `shared.aggregate`.

Empty until the notify issue gives it its aggregates, events and commands (SPEC 2.7)."""
