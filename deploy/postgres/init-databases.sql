-- Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d).
-- One database per service; each service runs its own alembic migrations at start-up.
CREATE DATABASE intake;
CREATE DATABASE dispatch;
CREATE DATABASE sla_monitor;
CREATE DATABASE inventory;
CREATE DATABASE notify;
