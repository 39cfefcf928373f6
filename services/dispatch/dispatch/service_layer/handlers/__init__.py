"""Every dispatch command and its one handler, split by aggregate."""

from dispatch.service_layer.handlers import assignment, field_work, maintenance, technicians

HANDLERS = {**assignment.HANDLERS, **field_work.HANDLERS, **technicians.HANDLERS, **maintenance.HANDLERS}
