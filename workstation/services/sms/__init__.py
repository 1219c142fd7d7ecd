"""SMS to patients: the outbox, the gateways (outbox table, HTTP operator) and the dispatcher."""
