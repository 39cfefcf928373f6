"""The inventory domain (spare parts, stock and loaner units): plain Python on `shared.aggregate`.

Empty until the inventory issue gives it its aggregates, events and commands (SPEC 2.6)."""
