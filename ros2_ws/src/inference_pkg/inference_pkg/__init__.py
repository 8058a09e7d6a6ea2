"""Runs the loaded DeepRacer model with OpenVINO on every sensor message, newest frame first."""
