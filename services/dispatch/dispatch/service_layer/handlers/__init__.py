"""Every dispatch command and its one handler, split by aggregate."""

from dispatch.service_layer.handlers import assignment, consent, field_work, maintenance, roles, technicians
from shared.messagebus import Handler

HANDLERS: dict[type, Handler] = {
    **assignment.HANDLERS,
    **field_work.HANDLERS,
    **technicians.HANDLERS,
    **maintenance.HANDLERS,
    **roles.HANDLERS,
    **consent.HANDLERS,
}
