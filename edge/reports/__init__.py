"""Printable documents: the inspection and seizure reports for court, the
duty receipt and the calibration certificate.

A report is a reading of the event log that a person can check by hand:
every custody step and every event is listed with its hash, and the result
of verifying the whole chain is printed, so a copy on paper can be held
against the lane's store (``lanebox verify``) years later. The functions are
pure: data in, PDF bytes out.
"""
