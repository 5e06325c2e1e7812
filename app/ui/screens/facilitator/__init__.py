"""The facilitator's screens: review, history and diffs, participants, audit log, exports."""
