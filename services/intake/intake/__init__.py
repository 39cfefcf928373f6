"""ServicePact intake: customer archive, tickets and entitlement."""
