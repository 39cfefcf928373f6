"""ServicePact sla-monitor: sla clocks, calendars, warnings, breaches and escalations."""
