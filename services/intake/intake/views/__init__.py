"""Read-only queries for the routes: each opens its own connection and returns plain documents."""
