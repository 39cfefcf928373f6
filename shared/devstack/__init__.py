"""The embedded default: a Tansu broker and a PostgreSQL server started by the project itself."""
