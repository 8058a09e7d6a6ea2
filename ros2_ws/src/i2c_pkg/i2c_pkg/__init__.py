"""i2c_pkg: Compute battery level from the fuel gauge on I2C (0x3F), or the simulated gauge."""
