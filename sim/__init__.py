"""The simulated car: the world (track, physics, camera, LiDAR, battery) behind fake kernel trees and
devices that the real drivers run against. Nothing on a car imports it."""
