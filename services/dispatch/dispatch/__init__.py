"""ServicePact dispatch: technicians, rosters, assignment and field work."""
