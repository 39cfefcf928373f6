"""notify's unit of work: the one write path (see shared.unit_of_work); repositories join it here."""

from shared.unit_of_work import SqlUnitOfWork


class NotifyUnitOfWork(SqlUnitOfWork):
    pass
