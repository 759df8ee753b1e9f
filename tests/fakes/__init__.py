"""Fake platforms for the publisher tests: small real HTTP servers on 127.0.0.1.

Each fake follows its platform's documented contract (request shapes, status codes, error
bodies, rate-limit headers) closely enough that an adapter passing against it would pass against
the platform; its docstring names the documentation it follows. Faults are queued on a fake and
consumed by the next matching request, so a test reads as "the next post times out".
"""
