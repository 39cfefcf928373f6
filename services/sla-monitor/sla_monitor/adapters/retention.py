"""Which stored inputs (`sla_inputs`) may be pruned, and why that is safe.

Every input the monitor consumes is kept as it came (adapters/stored_inputs.py). Three readers:

1. A ticket's opening that arrives after some of its other inputs (the topics are not ordered): the
   early ones wait in `sla_inputs` and are applied when the opening arrives (`StoredInputs.others`,
   only for a ticket the monitor does not know yet).
2. Late facts: an input that happened before a deadline already reported as breached corrects the
   breach. It is applied to the ticket's clock state (`sla_tickets.state`, never pruned), not by
   replaying inputs, and only an open clock can be corrected: once every clock of a ticket is
   stopped, no late fact changes a verdict any more.
3. What-if replays (views/what_if.py) re-measure the tickets opened in a time range from their inputs.

De-duplication does not read them either: a redelivered event is skipped by its `processed_events`
row (shared.retention keeps that window), and a stored input's primary key only keeps one copy.

So the inputs of a ticket whose every clock is stopped (closed, resolved, cancelled; or never
measured) and that has not moved for `input_retention_days` serve only what-if replays of ranges that
old, and go -- all of the ticket's inputs together, so a replay never sees half a ticket. A ticket with
a clock still running or paused keeps them however old (a late fact may still correct it, a reopening
moves it again); inputs of a ticket the monitor does not know (waiting for their opening, reader 1)
are kept too, like the consumer's parked events. A closed ticket reopened after its inputs went keeps
its clocks (they live in the state row), and from then on its new inputs are kept again.

"Has not moved": `sla_tickets.updated_at`, written by every input applied and every threshold fired,
on the database's clock. The rule is one more `shared.retention.Rule`: the shared pass walks
`sla_inputs` in short batches and looks each row's ticket up by its primary key (no new index).
"""

from __future__ import annotations

from shared.retention import Rule

# The clocks of a state are `{"clocks": {name: {"status": ...}}}` (adapters/state.py). A scalar
# sub-query, not EXISTS: the planner would turn EXISTS into a join that reads all of `sla_tickets` for
# every batch; this looks each row's ticket up by its primary key (NULL, i.e. kept, if it has none).
_CLOSED_AND_IDLE = """(
    SELECT CASE WHEN t.updated_at < now() - make_interval(days => :days)
                THEN NOT jsonb_path_exists(t.state, '$.clocks.*.status ? (@ == "running" || @ == "paused")')
                ELSE false END
    FROM sla_tickets t
    WHERE t.ticket_id = sla_inputs.ticket_id
)"""


def input_retention(days: int) -> Rule:
    """Inputs of tickets whose clocks have all stopped and that have not moved for `days`."""
    return Rule("sla_inputs", _CLOSED_AND_IDLE, days)
