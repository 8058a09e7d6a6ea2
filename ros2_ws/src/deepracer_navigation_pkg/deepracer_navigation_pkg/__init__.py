"""Maps model outputs to steering angle and throttle with the model's action space."""
