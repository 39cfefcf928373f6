"""One handler per command: `handlers(holidays)` is the bus's table (routes and consumers alike)."""

from __future__ import annotations

from functools import partial

from intake.domain import commands as c
from intake.service_layer.handlers import archive, complaints, field_work, sla_references, tickets
from shared.calendars.china import ChinaCalendar
from shared.messagebus import Handler


def handlers(holidays: ChinaCalendar) -> dict[type, Handler]:
    """The command -> handler table; the entitlement rules get the configured public holidays."""
    return {
        c.OpenTicket: partial(tickets.open_ticket, holidays=holidays),
        c.ClassifyTicket: tickets.classify,
        c.AddNote: tickets.add_note,
        c.AwaitCustomer: tickets.await_customer,
        c.AwaitParts: tickets.await_parts,
        c.ResumeTicket: tickets.resume,
        c.ResolveTicket: tickets.resolve,
        c.ReopenTicket: tickets.reopen,
        c.RecordSatisfaction: tickets.record_satisfaction,
        c.CloseTicket: tickets.close,
        c.CancelTicket: tickets.cancel,
        c.AcceptQuote: tickets.answer_quote,
        c.DeclineQuote: tickets.answer_quote,
        c.ReassessEntitlement: partial(tickets.reassess_entitlement, holidays=holidays),
        c.RecordTechnician: field_work.record_technician,
        c.AwaitPartsFromField: field_work.await_parts_from_field,
        c.ResolveFromField: field_work.resolve_from_field,
        c.ReassessAfterDiagnosis: partial(field_work.reassess_after_diagnosis, holidays=holidays),
        c.FileComplaint: complaints.file_complaint,
        c.AnswerComplaint: complaints.answer_complaint,
        c.AddCompany: archive.add_company,
        c.RenameCompany: archive.rename_company,
        c.AddRecord: archive.add_record,
        c.ReplaceRecord: archive.replace_record,
        c.RemoveRecord: archive.remove_record,
        c.RecordSlaReference: sla_references.record_sla_reference,
    }
