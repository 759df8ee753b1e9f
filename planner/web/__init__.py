"""Shared web plumbing: extensions, the request's database session, errors, filters, the shell."""
