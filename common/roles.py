"""Who may do what: the four roles, and the permission sets routes and sockets admit.

One list, so that a role is spelt once: a route says ``roles=TECHNICIANS``,
never ``("technician", "supervisor")``. The lane and the hub share the
roles (hub users are sent to every lane), the board admits two of them.
"""

from __future__ import annotations

OFFICER = "officer"
TECHNICIAN = "technician"
SUPERVISOR = "supervisor"
VIEWER = "viewer"

ROLES = (OFFICER, TECHNICIAN, SUPERVISOR, VIEWER)
"""Every role an account may have, at a lane or at the hub."""

RECORD_WRITERS = (OFFICER, SUPERVISOR)
"""Inspections, findings, seizures, custody, duty, photos."""

DEVICE_OPERATORS = (OFFICER, TECHNICIAN, SUPERVISOR)
"""Zero and tare a scale; attach a device's reading to a record."""

TECHNICIANS = (TECHNICIAN, SUPERVISOR)
"""Device setup, calibration and checks, the raw console."""

SUPERVISORS = (SUPERVISOR,)
"""Users, device locks, alarm acknowledgement."""

BOARD_ROLES = (VIEWER, SUPERVISOR)
"""Who may use the control-room board: viewers see everything, supervisors also acknowledge alarms."""
