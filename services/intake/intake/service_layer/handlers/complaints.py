"""Complaints: filed by a customer (about a ticket or not) and answered by the complaint desk."""

from __future__ import annotations

from typing import Any

from intake.domain import commands as c
from intake.domain.complaint import Complaint
from intake.domain.errors import ComplaintNotFound, InvalidCommand, TicketNotFound
from intake.service_layer.documents import complaint_document
from intake.service_layer.handlers.tickets import now
from intake.service_layer.ids import time_ordered_id
from intake.service_layer.unit_of_work import IntakeUnitOfWork


async def file_complaint(command: c.FileComplaint, uow: IntakeUnitOfWork) -> dict[str, Any]:
    """About a ticket: the ticket's customer and context; standalone: a known customer. Either way
    the complaint names the customer's contract policy (the ticket's), for its reply clock."""
    context, policy_id = None, None
    if command.ticket_id is not None:
        ticket = await uow.tickets.get(command.ticket_id)
        if ticket is None:
            raise TicketNotFound(command.ticket_id)
        context = ticket.context
        assert context is not None
        if context.customer_id != command.customer_id:
            raise InvalidCommand("the ticket belongs to another customer", field="ticket_id")
    elif not await uow.archive.exists("companies", command.customer_id):
        raise InvalidCommand("unknown customer", field="customer_id")
    else:
        policy_id = await uow.archive.contract_policy(command.customer_id, on=now().date())
    complaint = Complaint.file(
        complaint_id=time_ordered_id("CP"),
        customer_id=command.customer_id,
        text=command.text,
        now=now(),
        ticket_id=command.ticket_id,
        context=context,
        policy_id=policy_id,
    )
    uow.complaints.add(complaint)
    return complaint_document(complaint)


async def answer_complaint(command: c.AnswerComplaint, uow: IntakeUnitOfWork) -> dict[str, Any]:
    complaint = await uow.complaints.get(command.complaint_id)
    if complaint is None:
        raise ComplaintNotFound(command.complaint_id)
    complaint.answer(command.reply, command.answered_by, now())
    return complaint_document(complaint)
