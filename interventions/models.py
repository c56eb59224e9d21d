"""Models for interventions arrive with their issue."""
