"""Tests of inference/, the model library, the inference/navigation/optimizer nodes and `deepracer models`."""
