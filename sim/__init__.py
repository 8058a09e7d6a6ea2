"""The simulated car: fake kernel trees and chip emulators the real drivers run against, and the world."""
