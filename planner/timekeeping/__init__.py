"""Time as people read it: wall clocks, DST gaps and overlaps, and calendar periods.

Pure: the calendar, the approval panel, the API and the archive all turn wall-clock input into
UTC instants here (``wallclock``) and group instants into days and ISO weeks here (``periods``),
so a spring-forward gap or a fall-back overlap is decided in one place.
"""
