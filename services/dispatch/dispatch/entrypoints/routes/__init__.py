"""Dispatch HTTP: technicians and the roster, jobs and manual assignment, the technician app's field
API, preventive maintenance. Each route builds a command for the bus or asks a view; nothing else."""

from dispatch.entrypoints.routes import field, jobs, maintenance, technicians

ROUTERS = [technicians.router, jobs.router, field.router, maintenance.router]
