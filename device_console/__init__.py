"""device_console: the vehicle's web console (FastAPI), wire-compatible with the original console.

- `app.create_app(settings, car)` builds the application; `car` implements `car.Car` (the ROS bridge
  `webserver_pkg.webserver_publisher_node` on the vehicle, a fake in tests). No rclpy in here.
- `config.ConsoleSettings` typed settings; `auth` passwords, tokens, CSRF and login slow-down;
  `routes/*` the HTTP API; `streaming` the MJPEG hub; `upload` streamed uploads; `server` uvicorn
  HTTP/HTTPS; `tls` the device certificate; `system` SSH and time zone; `logs` the log allow-list.
- `static/` and `templates/`: the web UI, served as files (no build step).
"""
