"""Builds and validates the cached OpenVINO IR of a DeepRacer model (model_optimizer_server)."""
