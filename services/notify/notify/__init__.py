"""ServicePact notify: notifications and follow-up."""
