"""Calendars every service shares: the China public holidays and make-up working days (`china`)."""
