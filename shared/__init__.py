"""ServicePact common library: envelope, event store, outbox relay, consumer base, HTTP plumbing."""
