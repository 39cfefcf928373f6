"""The notify domain (notifications and follow-up): plain Python, built on `shared.aggregate` like the other services.

Empty until the notify issue gives it its aggregates, events and commands (SPEC 2.7)."""
