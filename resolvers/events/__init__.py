"""Opportunity events: the outbox a change writes in its transaction, and the reads behind
``opportunityEvents``."""
