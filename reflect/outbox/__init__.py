"""The outbox: one delivery ledger for every email Reflect sends on its own
(reminders, digests, notifications, invitations, roster notices). See
models.Delivery for the guarantee and sending.py for how it is kept."""
