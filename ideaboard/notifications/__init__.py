"""A member's notification settings, and unsubscribing from a mail's link."""
