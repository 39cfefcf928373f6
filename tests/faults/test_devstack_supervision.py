"""Issue 11 item 9 (launcher): a crashed child is restarted, not the whole stack stopped.

Real short-lived subprocesses that crash; the supervisor the launcher's main loop runs.
"""

import signal
import sys
import time

from shared.devstack.processes import spawn
from shared.devstack.supervisor import Child, Supervisor

CRASHES = [sys.executable, "-c", "import sys, time; time.sleep(0.2); sys.exit(3)"]
STAYS = [sys.executable, "-c", "import time; time.sleep(120)"]


def run_until(supervisor: Supervisor, done, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, "supervisor did not get there in time"
        supervisor.check()
        time.sleep(0.02)


def test_a_crashing_child_is_restarted_with_back_off_and_the_others_keep_running():
    messages: list[str] = []
    supervisor = Supervisor(backoff_s=(0.1, 0.3, 0.6), stable_s=30.0, report=messages.append)
    try:
        steady = supervisor.add(Child("dispatch", lambda: spawn(STAYS)))
        steady_pid = steady.process.pid
        crashy = supervisor.add(Child("intake", lambda: spawn(CRASHES)))
        restarted_at: list[float] = []

        def three_restarts():
            if len(restarted_at) < crashy.restarts:
                restarted_at.append(time.monotonic())
            return crashy.restarts >= 3

        run_until(supervisor, three_restarts)
        assert crashy.exit_codes[:3] == [3, 3, 3]
        assert crashy.process.poll() is None or crashy.process.returncode == 3  # a fresh run
        # Back-off grows while it keeps crashing: 0.1 s, then 0.3 s, then 0.6 s after each exit.
        assert restarted_at[2] - restarted_at[1] >= 0.6 + 0.2 - 0.05
        assert steady.restarts == 0 and steady.process.pid == steady_pid and steady.process.poll() is None
        assert any(m.startswith("intake exited with 3") for m in messages)
    finally:
        supervisor.stop_all()
    assert steady.process.poll() is not None  # stop_all stops everything it started


def test_a_dead_broker_is_restarted_between_its_hooks_with_the_services_paused():
    calls: list[tuple] = []
    supervisor = Supervisor(backoff_s=(0.1,), report=lambda _m: None)
    try:
        service = supervisor.add(Child("intake", lambda: spawn(STAYS)))

        def before():
            supervisor.pause(["intake"])
            calls.append(("before", service.process.poll() is not None))

        def after(lost_since):
            calls.append(("after", lost_since, service.paused))
            supervisor.resume(["intake"])

        broker = supervisor.add(
            Child("broker", lambda: spawn(STAYS), before_restart=before, after_restart=after)
        )
        first_start, first_pid = broker.started_wall, broker.process.pid
        broker.process.send_signal(signal.SIGKILL)
        run_until(supervisor, lambda: broker.restarts == 1)
        assert calls == [("before", True), ("after", first_start, True)]  # service stopped meanwhile
        assert broker.process.pid != first_pid and broker.process.poll() is None
        assert not service.paused and service.process.poll() is None and service.restarts == 0
        supervisor.check()  # the paused-then-resumed service is not counted as a crash
        assert service.restarts == 0
    finally:
        supervisor.stop_all()
