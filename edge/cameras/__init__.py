"""Plate and container-code cameras pushing their reads to the lane.

A camera (or an OCR gate) is an untrusted peer like a serial device: what it
sends is parsed strictly by the adapter of its push format (``formats/``),
the result is one :class:`~edge.cameras.reads.CameraRead`, and only a whole,
valid read is stored (:mod:`edge.cameras.service`). Reads arrive over HTTP
(:mod:`edge.api.cameras`) or MQTT (:mod:`edge.cameras.mqtt`); docs/cameras.md
says how to point a camera at a lane.
"""
