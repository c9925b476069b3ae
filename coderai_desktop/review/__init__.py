"""Feedback, blind coding, agreement and calibration."""
