"""Models for reports arrive with their issue."""
