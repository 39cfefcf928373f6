"""A complaint: its own record (about a ticket or standalone) with its own reply, handled apart
from the service department."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.domain.errors import IllegalTransition, InvalidCommand
from intake.domain.events import ComplaintAnswered, ComplaintFiled, TicketContext
from shared.aggregate import Aggregate


class Complaint(Aggregate):
    def __init__(self) -> None:
        super().__init__()
        self.complaint_id = ""
        self.ticket_id: str | None = None
        self.customer_id = ""
        self.text = ""
        self.reply: str | None = None
        self.filed_at: datetime | None = None
        self.answered_at: datetime | None = None

    @classmethod
    def file(
        cls,
        *,
        complaint_id: str,
        customer_id: str,
        text: str,
        now: datetime,
        ticket_id: str | None = None,
        context: TicketContext | None = None,
        source: str = "customer",
        policy_id: str | None = None,
    ) -> Complaint:
        """`policy_id`: the customer's contract policy, whose complaint reply target applies (a
        complaint about a ticket: the ticket's, unless given)."""
        if not text.strip():
            raise InvalidCommand("a complaint needs its text", field="text")
        complaint = cls()
        complaint._record(
            ComplaintFiled(
                complaint_id=complaint_id,
                ticket_id=ticket_id,
                customer_id=customer_id,
                occurred_at=now,
                text=text,
                source=source,
                context=context,
                policy_id=policy_id or (context.policy_id if context else None),
            )
        )
        return complaint

    def answer(self, reply: str, answered_by: str, now: datetime) -> None:
        if self.reply is not None:
            raise IllegalTransition("answer", "answered")
        self._record(
            ComplaintAnswered(
                complaint_id=self.complaint_id,
                ticket_id=self.ticket_id,
                customer_id=self.customer_id,
                occurred_at=max(now, self.filed_at or now),
                reply=reply,
                answered_by=answered_by,
            )
        )

    @property
    def status(self) -> str:
        return "answered" if self.reply is not None else "open"

    def _apply(self, event: Any) -> None:
        match event:
            case ComplaintFiled():
                self.complaint_id, self.ticket_id = event.complaint_id, event.ticket_id
                self.customer_id, self.text, self.filed_at = event.customer_id, event.text, event.occurred_at
            case ComplaintAnswered():
                self.reply, self.answered_at = event.reply, event.occurred_at
