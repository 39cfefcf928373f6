"""The job as the API shows it: the job's own state and history, with what only the read table knows
(the ticket's current severity)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dispatch.domain.job import Job


def job_document(job: Job, row: Mapping[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    return {
        "ticket_id": job.ticket_id,
        "job_id": job.job_id,
        "status": str(job.status),
        "technician_id": job.technician_id,
        "level": job.level,
        "case_owner_id": job.case_owner_id,
        "accountable_level": job.accountable_level,
        "severity": row.get("severity", job.severity),
        "region": row.get("region", job.region),
        "product_line": row.get("product_line", job.product_line),
        "on_site_required": job.on_site_required or bool(row.get("on_site_required")),
        "diagnosis": job.diagnosis,
        "fault_code": job.fault_code,
        "parts_requested": list(job.parts_requested),
        "awaiting_consent": job.awaiting_consent,
        "version": job.version,
        "history": [
            {
                "step": s.name,
                "technician_id": s.technician_id,
                "occurred_at": s.occurred_at.isoformat(),
                "late": s.late,
            }
            for s in job.steps_in_order()
        ],
    }
