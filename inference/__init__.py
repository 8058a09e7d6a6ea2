"""Driving models, without ROS: model archives and metadata, the OpenVINO engine and its input
pre-processing, the model optimizer step and the navigation maths (model output -> steering, throttle)."""
