#!/bin/sh
# Starts the ServicePact service named by $SERVICE (intake|dispatch|sla-monitor|inventory|notify).
# Extra arguments are passed on to uvicorn (e.g. --workers is NOT recommended: scale with replicas).
# `migrate` as the only argument runs the service's migrations instead and exits (the migration Job).
set -eu

case "${SERVICE:-}" in
    intake)      dir=intake;      pkg=intake ;;
    dispatch)    dir=dispatch;    pkg=dispatch ;;
    sla-monitor) dir=sla-monitor; pkg=sla_monitor ;;
    inventory)   dir=inventory;   pkg=inventory ;;
    notify)      dir=notify;      pkg=notify ;;
    *)
        echo "entrypoint: SERVICE must be one of intake, dispatch, sla-monitor, inventory, notify (got '${SERVICE:-}')" >&2
        exit 64
        ;;
esac

export PYTHONPATH="${PYTHONPATH:-/app}:/app/services/${dir}"

if [ "${1:-}" = migrate ]; then
    exec python -m shared.migrations "${pkg}"
fi

# Access logs off: the app logs JSON lines itself. --proxy-headers trusts X-Forwarded-* only from
# the addresses in $FORWARDED_ALLOW_IPS (uvicorn default 127.0.0.1); set it to your ingress/LB range.
exec python -m uvicorn --factory "${pkg}.entrypoints.app:create_app" \
    --host 0.0.0.0 --port 8000 \
    --proxy-headers \
    --no-access-log \
    "$@"
