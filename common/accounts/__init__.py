"""Accounts, as the lane and the hub both keep them: who may sign in, and how safely.

The stores differ (the lane keeps its accounts beside its event log, and
writes every change as an event; the hub keeps them in its database), the
rules do not: usernames and passwords are checked the same way, passwords
are hashed with the same argon2id parameters, failed sign-ins are slowed
down the same way, and a session is the same 256-bit bearer token.
"""
