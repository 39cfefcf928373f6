"""ServicePact inventory: spare parts, stock and loaner units."""
