"""The facilitator's side: the passphrase and its sessions, reviewing versions and keywords,
the definition history and its diffs, participants and consent, withdrawal and the audit log.
"""
