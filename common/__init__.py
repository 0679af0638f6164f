"""What the lane and the hub both build on, knowing neither of them.

The hash-chained event log and its writer, the Flask routing kit, accounts
(password hashing, sign-in throttling, sessions), time and roles, the
reference-data format, periodic jobs and mDNS discovery. Nothing here
imports ``edge`` (the lane) or ``sync`` (the lane↔hub protocol and the hub);
``tests/unit/test_architecture.py`` holds it to that.
"""
